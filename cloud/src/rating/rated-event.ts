import type { SlotEvent } from '@croupier/contracts';

/** Where an event came from: the envelope header and the machine's location. */
export interface EventOrigin {
  readonly property: string;
  readonly core: string;
}

/** Slot events that change a player's rating or session, with their origin. */
export type RatedEvent = Extract<SlotEvent, { type: 'game_played' | 'card_in' | 'card_out' | 'bill_in' }> & {
  readonly playerToken: string;
  readonly origin: EventOrigin;
};

/**
 * Picks the events that rate a player: carded games and bill-ins, card in and card out. Uncarded
 * play and machine events (doors, tilts, power) rate nobody.
 */
export function asRatedEvent(event: SlotEvent, origin: EventOrigin): RatedEvent | undefined {
  switch (event.type) {
    case 'card_in':
    case 'card_out':
      return { ...event, origin };
    case 'game_played':
    case 'bill_in':
      return event.playerToken ? { ...event, playerToken: event.playerToken, origin } : undefined;
    default:
      return undefined;
  }
}

/** Orders events by event time, then event id (UUIDv7, time-ordered at the source) to break ties. */
export function compareEvents(a: { eventTime: number; eventId: string }, b: { eventTime: number; eventId: string }) {
  return a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
