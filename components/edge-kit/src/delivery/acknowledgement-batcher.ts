export interface AcknowledgementBatcherOptions {
  /** How long ids are collected before they go: one message per key per batch. */
  readonly delayMs: number;
  /** Most ids in one message (the contract's bound); a longer batch goes as several. */
  readonly maxIds: number;
  /** Sends one message; a rejection is reported to `onError`, never retried (the producer resends). */
  readonly send: (key: string, ids: readonly string[]) => Promise<void>;
  readonly onError: (key: string, ids: readonly string[], error: unknown) => void;
}

/**
 * Collects event ids to acknowledge, per key (a machine, a stream), and sends them in batches: a
 * burst of events costs a handful of acknowledgements, not one each. Losing one is harmless by
 * design: the producer resends what it does not hear back about, and the resend is acknowledged as a
 * duplicate.
 */
export class AcknowledgementBatcher {
  readonly #options: AcknowledgementBatcherOptions;
  readonly #pending = new Map<string, string[]>();
  #timer: NodeJS.Timeout | undefined;
  #sent = 0;
  #failed = 0;

  constructor(options: AcknowledgementBatcherOptions) {
    this.#options = options;
  }

  /** Acknowledgement messages sent. */
  get sent(): number {
    return this.#sent;
  }

  /** Acknowledgement messages that could not be sent. */
  get failed(): number {
    return this.#failed;
  }

  /** Queues an id; the batch goes `delayMs` after the first id queued since the last one went. */
  add(key: string, id: string): void {
    const ids = this.#pending.get(key) ?? [];
    ids.push(id);
    this.#pending.set(key, ids);
    this.#timer ??= setTimeout(() => {
      this.flush().catch(() => {});
    }, this.#options.delayMs);
  }

  /** Sends everything queued now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batches = [...this.#pending];
    this.#pending.clear();
    const { maxIds, send, onError } = this.#options;
    await Promise.all(
      batches.flatMap(([key, ids]) =>
        Array.from({ length: Math.ceil(ids.length / maxIds) }, async (_, i) => {
          const chunk = ids.slice(i * maxIds, (i + 1) * maxIds);
          try {
            await send(key, chunk);
            this.#sent += 1;
          } catch (error) {
            this.#failed += 1;
            onError(key, chunk, error);
          }
        }),
      ),
    );
  }
}
