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
 * token (HMAC under the property key), events during a carded session get its token and session id,
 * and the machine's location is attached. Updates `sessions` on card in and card out. Pure apart from
 * that state.
 */
export function tokenise(
  event: SmibEvent,
  key: Uint8Array,
  sessions: SessionTracker,
  machine: MachineIdentity | undefined,
): SlotEvent {
  const location = machine ? { location: machine.location } : {};
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
      const session = CARDED_TYPES.has(event.type) ? sessions.current(event.machineId) : undefined;
      return {
        ...event,
        ...(session ? { playerToken: session.playerToken, sessionId: session.sessionId } : {}),
        ...location,
      } as SlotEvent;
    }
  }
}
