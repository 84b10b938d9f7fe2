/** Measures the encoded size of an envelope holding `events`. */
export type EnvelopeSizer<E> = (events: readonly E[]) => number;

export interface EnvelopeBatcherOptions<E> {
  /** Largest envelope allowed, bytes. */
  readonly budgetBytes: number;
  /** Hard limit: an event that alone exceeds it can never be sent. */
  readonly maxMessageBytes: number;
  readonly sizer: EnvelopeSizer<E>;
}

/** What the batcher hands back: envelopes' worth of events, and events too large to ever send. */
export interface BatchOutput<E> {
  readonly batches: E[][];
  readonly oversize: E[];
}

/**
 * Groups one stream's events into envelopes that fill the byte budget as closely as possible. Pure:
 * no clock, no I/O. Encoding is the only way to know a compressed size, so it encodes only when the
 * estimate (raw bytes × the last seen compression ratio) nears the budget, then cuts the longest
 * prefix that fits by bisection.
 */
export class EnvelopeBatcher<E> {
  readonly #options: EnvelopeBatcherOptions<E>;
  #pending: E[] = [];
  #rawSizes: number[] = [];
  #rawBytes = 0;
  #ratio = 0.25;
  #nextCheckRawBytes = 0;
  /** How many pending events are known to fit one envelope (from the last encode that fit). */
  #knownFit = 0;

  constructor(options: EnvelopeBatcherOptions<E>) {
    this.#options = options;
    this.#resetCheck();
  }

  /** Events waiting for an envelope. */
  get size(): number {
    return this.#pending.length;
  }

  /** Adds an event; returns envelopes that became full. */
  add(event: E, rawBytes: number): BatchOutput<E> {
    this.#pending.push(event);
    this.#rawSizes.push(rawBytes);
    this.#rawBytes += rawBytes;
    if (this.#rawBytes < this.#nextCheckRawBytes) return { batches: [], oversize: [] };
    const encoded = this.#options.sizer(this.#pending);
    this.#ratio = encoded / this.#rawBytes;
    if (encoded <= this.#options.budgetBytes) {
      // Not full yet: check again when the estimate says the budget is reached.
      this.#knownFit = this.#pending.length;
      this.#nextCheckRawBytes = Math.max(this.#rawBytes * 1.03, this.#options.budgetBytes / this.#ratio);
      return { batches: [], oversize: [] };
    }
    return this.#cutFullEnvelopes(false);
  }

  /** Cuts everything pending into envelopes (time-based flush and shutdown). */
  flush(): BatchOutput<E> {
    return this.#cutFullEnvelopes(true);
  }

  #cutFullEnvelopes(all: boolean): BatchOutput<E> {
    const batches: E[][] = [];
    const oversize: E[] = [];
    while (this.#pending.length > 0) {
      const whole = this.#options.sizer(this.#pending);
      if (whole <= this.#options.budgetBytes) {
        if (!all) break;
        batches.push(this.#take(this.#pending.length));
        break;
      }
      const n = this.#longestFittingPrefix();
      if (n === 0) {
        const [first] = this.#take(1) as [E];
        if (this.#options.sizer([first]) <= this.#options.maxMessageBytes) batches.push([first]);
        else oversize.push(first);
        continue;
      }
      batches.push(this.#take(n));
    }
    this.#resetCheck();
    return { batches, oversize };
  }

  #take(n: number): E[] {
    this.#knownFit = 0;
    for (const size of this.#rawSizes.splice(0, n)) this.#rawBytes -= size;
    return this.#pending.splice(0, n);
  }

  #longestFittingPrefix(): number {
    // Bisect only above what is known to fit: the answer is usually within the last few percent.
    let lo = Math.min(this.#knownFit, this.#pending.length - 1);
    let hi = this.#pending.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.#options.sizer(this.#pending.slice(0, mid)) <= this.#options.budgetBytes) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #resetCheck(): void {
    this.#nextCheckRawBytes = (this.#options.budgetBytes / this.#ratio) * 0.9;
  }
}
