import { type BatchOutput, EnvelopeBatcher, type EnvelopeBatcherOptions } from './envelope-batcher.js';

/**
 * Envelopes that never hold events of two lake hours. The lake files a whole envelope under the hour
 * of its first event and refines one hour at a time, so an envelope across an hour boundary would file
 * events under the wrong hour, and a copy of one resent in another envelope would be refined twice.
 * Keeps one {@link EnvelopeBatcher} per hour with events pending; a flush empties them all, so an hour
 * left behind (a late resend, the boundary itself) is held no longer than the batching delay.
 */
export class HourlyEnvelopeBatcher<E> {
  readonly #options: EnvelopeBatcherOptions<E>;
  readonly #hourOf: (event: E) => number;
  readonly #byHour = new Map<number, EnvelopeBatcher<E>>();

  constructor(options: EnvelopeBatcherOptions<E>, hourOf: (event: E) => number) {
    this.#options = options;
    this.#hourOf = hourOf;
  }

  /** Events waiting for an envelope, all hours together. */
  get size(): number {
    let total = 0;
    for (const batcher of this.#byHour.values()) total += batcher.size;
    return total;
  }

  /** Adds an event to its hour's envelope; returns envelopes that became full. */
  add(event: E, rawBytes: number): BatchOutput<E> {
    const hour = this.#hourOf(event);
    let batcher = this.#byHour.get(hour);
    if (batcher === undefined) {
      batcher = new EnvelopeBatcher(this.#options);
      this.#byHour.set(hour, batcher);
    }
    return batcher.add(event, rawBytes);
  }

  /** Cuts every hour's pending events into envelopes, oldest hour first. */
  flush(): BatchOutput<E> {
    const batches: E[][] = [];
    const oversize: E[] = [];
    for (const hour of [...this.#byHour.keys()].sort((a, b) => a - b)) {
      const out = this.#byHour.get(hour)!.flush();
      batches.push(...out.batches);
      oversize.push(...out.oversize);
    }
    this.#byHour.clear();
    return { batches, oversize };
  }
}
