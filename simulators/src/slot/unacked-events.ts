/** How long an SMIB keeps and resends an event the core has not acknowledged. */
export interface ResendPolicy {
  /** First resend this long after the publish; each later one waits twice as long as the one before. */
  readonly resendAfterMs: number;
  /** The cap on that wait. */
  readonly maxResendAfterMs: number;
  /** Events held at most; past it the oldest is given up, counted as dropped (an SMIB's memory is finite). */
  readonly maxHeld: number;
}

/** An SMIB's defaults: quick enough to cover a component restart, slow enough not to flood a slow core. */
export const DEFAULT_RESEND_POLICY: ResendPolicy = {
  resendAfterMs: 5_000,
  maxResendAfterMs: 60_000,
  maxHeld: 10_000,
};

interface Held<T> {
  readonly event: T;
  dueAt: number;
  resends: number;
}

/**
 * The events an SMIB has published and the core has not yet acknowledged on `smib/{machineId}/acks`,
 * with when each is due to be sent again. Pure: the caller supplies the time and does the sending.
 */
export class UnackedEvents<T extends { readonly eventId: string }> {
  readonly #policy: ResendPolicy;
  /** In publish order (a Map keeps insertion order), so the oldest is first to be given up. */
  readonly #held = new Map<string, Held<T>>();
  #resent = 0;
  #dropped = 0;

  constructor(policy: ResendPolicy = DEFAULT_RESEND_POLICY) {
    this.#policy = policy;
  }

  /** Events waiting for an acknowledgement. */
  get size(): number {
    return this.#held.size;
  }

  /** Resends handed out so far. */
  get resent(): number {
    return this.#resent;
  }

  /** Events given up unacknowledged because `maxHeld` was reached. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Holds an event just published until it is acknowledged. */
  hold(event: T, nowMs: number): void {
    if (this.#held.has(event.eventId)) return;
    while (this.#held.size >= this.#policy.maxHeld) {
      const oldest = this.#held.keys().next().value as string;
      this.#held.delete(oldest);
      this.#dropped += 1;
    }
    this.#held.set(event.eventId, { event, dueAt: nowMs + this.#policy.resendAfterMs, resends: 0 });
  }

  /** Forgets acknowledged events; ids not held (acknowledged twice, or another SMIB's) are ignored. */
  acknowledge(eventIds: Iterable<string>): void {
    for (const id of eventIds) this.#held.delete(id);
  }

  /** The events due to be sent again at `nowMs`, oldest first, each rescheduled with its wait doubled. */
  due(nowMs: number): T[] {
    const out: T[] = [];
    for (const held of this.#held.values()) {
      if (held.dueAt > nowMs) continue;
      held.resends += 1;
      held.dueAt = nowMs + Math.min(this.#policy.maxResendAfterMs, this.#policy.resendAfterMs * 2 ** held.resends);
      out.push(held.event);
    }
    this.#resent += out.length;
    return out;
  }
}
