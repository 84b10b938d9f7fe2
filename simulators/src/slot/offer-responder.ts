import type { SmibEvent } from '@croupier/contracts';
import { SCHEMA_VERSION } from '@croupier/contracts';
import { deterministicEventId } from '../history/event-id.js';
import { createRng } from '../random/index.js';
import type { DisplayRecord } from './display-log.js';
import type { SimulatedClock } from './simulated-clock.js';

export interface OfferResponderOptions {
  readonly seed: number | string;
  /** Share of offers a player in session accepts; the rest are declined. */
  readonly acceptShare: number;
  readonly clock: SimulatedClock;
  readonly publish: (machineId: string, event: SmibEvent) => Promise<void>;
  /** Told of every response sent, with the session (card-in event id) it was made in, for the ground truth. */
  readonly onResponse: (event: SmibEvent, sessionKey: string) => void;
}

/** A player reads an offer for this long (simulated) before touching accept or decline. */
const READING_MS: readonly [number, number] = [5_000, 60_000];

/**
 * The players' side of offers: when a valid offer reaches a machine with a carded session under way,
 * the player answers it after a few seconds, and the SMIB publishes an `offer_response`. Whether and
 * when are drawn from a stream keyed by the offer id, so the same offer gets the same answer in every
 * run. Offers to an empty machine, or arriving after their expiry, go unanswered, as on a real floor.
 */
export class OfferResponder {
  readonly #opts: OfferResponderOptions;
  /** Machine id → eventId of the card-in of the session under way. */
  readonly #carded = new Map<string, string>();
  readonly #pending = new Set<Promise<void>>();
  #failures = 0;

  constructor(opts: OfferResponderOptions) {
    this.#opts = opts;
  }

  /** Follows card in/out on the floor, to know which machines have a player. */
  observe(event: SmibEvent): void {
    if (event.type === 'card_in') this.#carded.set(event.machineId, event.eventId);
    else if (event.type === 'card_out') this.#carded.delete(event.machineId);
  }

  /** Publishes failed so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Handles one display record from the fleet. */
  onDisplay(record: DisplayRecord): void {
    const offer = record.message;
    const session = this.#carded.get(record.machineId);
    if (offer === undefined || session === undefined) return;
    const rng = createRng(this.#opts.seed).fork(`offer:${offer.offerId}`);
    const answerAt = record.simulatedAtMs + Math.round(rng.uniform(READING_MS[0], READING_MS[1]));
    if (answerAt > offer.expiresAt) return;
    const event: SmibEvent = {
      eventId: deterministicEventId(answerAt, rng),
      eventTime: answerAt,
      schemaVersion: SCHEMA_VERSION,
      machineId: record.machineId,
      type: 'offer_response',
      offerId: offer.offerId,
      response: rng.bernoulli(this.#opts.acceptShare) ? 'accepted' : 'declined',
    };
    const delay = Math.max(0, this.#opts.clock.wallTimeFor(answerAt) - Date.now());
    const sent = new Promise<void>((resolve) => setTimeout(resolve, delay))
      .then(async () => {
        // The player may have left while reading: then nobody answers.
        if (this.#carded.get(record.machineId) !== session) return;
        await this.#opts.publish(record.machineId, event);
        this.#opts.onResponse(event, session);
      })
      .catch(() => {
        this.#failures += 1;
      })
      .finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
  }

  /** Waits for every answer still on its way. */
  async drain(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
