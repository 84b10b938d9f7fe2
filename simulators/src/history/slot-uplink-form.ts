import type { SmibEvent } from '@croupier/contracts';
import { derivePlayerToken, type MachineIdentity, type PlayerToken, type SlotEvent } from '@croupier/contracts';

interface CardState {
  readonly playerToken: PlayerToken;
  readonly sessionId: string;
}

/**
 * Turns SMIB events into the uplinked `SlotEvent` form, as SlotGateway does before anything leaves
 * the core: the card number is replaced by the player token (HMAC under the property key), events
 * played while a card is in carry that token and the session id (the card-in's eventId, as the SMIB
 * sends it or as the last card-in set it), and every event carries the machine's location. Stateful
 * per machine, in event order.
 */
export class SlotUplinkForm {
  readonly #key: Uint8Array;
  readonly #cards = new Map<string, CardState>();
  readonly #tokens = new Map<string, PlayerToken>();

  constructor(playerTokenKey: Uint8Array) {
    this.#key = playerTokenKey;
  }

  convert(event: SmibEvent, identity: MachineIdentity): SlotEvent {
    const location = identity.location;
    switch (event.type) {
      case 'card_in': {
        const { cardNumber, ...rest } = event;
        const playerToken = this.#token(cardNumber);
        this.#cards.set(event.machineId, { playerToken, sessionId: event.eventId });
        return { ...rest, playerToken, location };
      }
      case 'card_out': {
        const { cardNumber, ...rest } = event;
        const playerToken = this.#token(cardNumber);
        const card = this.#cards.get(event.machineId);
        this.#cards.delete(event.machineId);
        const sessionId = card?.playerToken === playerToken ? card.sessionId : undefined;
        return { ...rest, playerToken, ...(sessionId === undefined ? {} : { sessionId }), location };
      }
      case 'game_played':
      case 'bill_in':
      case 'ticket_out':
      case 'handpay':
      case 'offer_response': {
        const { cardNumber, sessionId, ...rest } = event;
        const seen = this.#cards.get(event.machineId);
        const card =
          cardNumber === undefined
            ? seen
            : { playerToken: this.#token(cardNumber), sessionId: sessionId ?? seen?.sessionId };
        return { ...rest, ...card, location } as SlotEvent;
      }
      default:
        return { ...event, location };
    }
  }

  #token(cardNumber: string): PlayerToken {
    let token = this.#tokens.get(cardNumber);
    if (token === undefined) {
      token = derivePlayerToken(this.#key, cardNumber);
      this.#tokens.set(cardNumber, token);
    }
    return token;
  }
}
