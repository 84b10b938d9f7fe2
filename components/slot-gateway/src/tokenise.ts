import { derivePlayerToken, type MachineIdentity, type SlotEvent, type SmibEvent } from '@croupier/contracts';
import type { SessionTracker } from './session-tracker.js';

type CardedType = 'game_played' | 'bill_in' | 'ticket_out' | 'handpay' | 'offer_response';

/** Event types that belong to the player whose card is in. */
const CARDED_TYPES = new Set<string>([
  'game_played',
  'bill_in',
  'ticket_out',
  'handpay',
  'offer_response',
] satisfies CardedType[]);

/**
 * Turns an SMIB event into the slot event that leaves the core: the card number becomes a player
 * token (HMAC under the property key), events during a carded session get its token and session id
 * (from the card and session the SMIB sent with the event, else from the card-in seen on this
 * machine), and the machine's location is attached. Updates `sessions` on card in and card out. Pure
 * apart from that state.
 */
export function tokenise(
  event: SmibEvent,
  key: Uint8Array,
  sessions: SessionTracker,
  machine: MachineIdentity | undefined,
): SlotEvent {
  const location = machine ? { location: machine.location } : {};
  // The SMIB's own card and session when it sends them; otherwise the card-in this gateway has seen.
  const cardedSession = (
    machineId: string,
    cardNumber?: string,
    sessionId?: string,
  ): { playerToken: string; sessionId?: string } | undefined => {
    const current = sessions.current(machineId);
    if (cardNumber === undefined) return current;
    const playerToken = derivePlayerToken(key, cardNumber);
    const session = sessionId ?? (current?.playerToken === playerToken ? current.sessionId : undefined);
    return { playerToken, ...(session === undefined ? {} : { sessionId: session }) };
  };
  switch (event.type) {
    case 'card_in': {
      const { cardNumber, ...rest } = event;
      const playerToken = derivePlayerToken(key, cardNumber);
      sessions.cardIn(event.machineId, { playerToken, sessionId: event.eventId });
      return { ...rest, playerToken, ...location };
    }
    case 'card_out': {
      const { cardNumber, ...rest } = event;
      const playerToken = derivePlayerToken(key, cardNumber);
      const session = sessions.cardOut(event.machineId);
      const sessionId = session?.playerToken === playerToken ? session.sessionId : undefined;
      return { ...rest, playerToken, ...(sessionId ? { sessionId } : {}), ...location };
    }
    default: {
      const { cardNumber, sessionId, ...rest } = event as SmibEvent & { cardNumber?: string; sessionId?: string };
      const session = CARDED_TYPES.has(event.type) ? cardedSession(event.machineId, cardNumber, sessionId) : undefined;
      return {
        ...rest,
        ...session,
        ...location,
      } as SlotEvent;
    }
  }
}
