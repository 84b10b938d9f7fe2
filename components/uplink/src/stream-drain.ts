import type { Logger, SegmentLog, SpoolRecord } from '@croupier/edge-kit';

export interface StreamDrainOptions {
  readonly log: SegmentLog;
  readonly topic: string;
  readonly publish: (topic: string, payload: Uint8Array) => Promise<void>;
  readonly maxInFlight: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly logger: Logger;
  /** Called after each acknowledged envelope. */
  readonly onSent: (record: SpoolRecord) => void;
}

/**
 * Sends one stream's spooled envelopes upstream in spool order and commits them once acknowledged.
 * Up to `maxInFlight` QoS 1 publishes are outstanding; the commit offset only moves over a contiguous
 * acknowledged prefix, so a failure resends from the first unacknowledged envelope (the cloud drops
 * a repeated seq). While the link is down publishes stay pending in the MQTT client or the nucleus,
 * and nothing new is read: memory stays bounded by the window.
 */
export class StreamDrain {
  readonly #options: StreamDrainOptions;
  #sleeping: { resolve: () => void; timer: NodeJS.Timeout | undefined; idle: boolean } | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  /** Set by notify; keeps a wake-up that arrives between a read and the idle wait from being lost. */
  #signalled = false;
  #lastSuccessAt = 0;

  constructor(options: StreamDrainOptions) {
    this.#options = options;
  }

  /** When the last envelope was acknowledged (ms epoch), 0 if never. */
  get lastSuccessAt(): number {
    return this.#lastSuccessAt;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Signals that new records were appended. */
  notify(): void {
    this.#signalled = true;
    if (this.#sleeping?.idle) this.#wakeUp();
  }

  /** Stops after the current window; pending publishes are abandoned and resent after restart. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    this.#wakeUp();
    await Promise.race([this.#running, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  async #loop(): Promise<void> {
    const { log, logger } = this.#options;
    let cursor = log.committed;
    let retryMs = this.#options.retryMinMs;
    while (!this.#stopped) {
      cursor = Math.max(cursor, log.committed);
      this.#signalled = false;
      const window = await log.read(cursor, this.#options.maxInFlight);
      if (window.length === 0) {
        await this.#sleep();
        continue;
      }
      const results = await Promise.allSettled(
        window.map((record) => this.#options.publish(this.#options.topic, record.payload)),
      );
      let acknowledged = 0;
      for (const result of results) {
        if (result.status !== 'fulfilled') break;
        acknowledged += 1;
      }
      if (acknowledged > 0) {
        const last = window[acknowledged - 1]!;
        await log.commit(last.seq + 1);
        this.#lastSuccessAt = Date.now();
        for (const record of window.slice(0, acknowledged)) this.#options.onSent(record);
        cursor = last.seq + 1;
      }
      if (acknowledged < window.length) {
        const failure = results[acknowledged] as PromiseRejectedResult;
        logger.warn('upstream publish failed; retrying from the first unacknowledged envelope', {
          topic: this.#options.topic,
          seq: window[acknowledged]!.seq,
          retryMs,
          error: String(failure.reason),
        });
        await this.#sleep(retryMs);
        retryMs = Math.min(retryMs * 2, this.#options.retryMaxMs);
      } else {
        retryMs = this.#options.retryMinMs;
      }
    }
  }

  /** Waits for `ms`, or with no `ms` until {@link notify}; {@link stop} ends either. */
  #sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopped || (ms === undefined && this.#signalled)) return resolve();
      const timer = ms === undefined ? undefined : setTimeout(() => this.#wakeUp(), ms);
      this.#sleeping = { resolve, timer, idle: ms === undefined };
    });
  }

  #wakeUp(): void {
    const sleeping = this.#sleeping;
    this.#sleeping = undefined;
    if (!sleeping) return;
    clearTimeout(sleeping.timer);
    sleeping.resolve();
  }
}
