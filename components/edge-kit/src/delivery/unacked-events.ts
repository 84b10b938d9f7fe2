/** How long a producer keeps and resends an event its consumer has not acknowledged. */
export interface ResendPolicy {
  /** First resend this long after the publish; each later one waits twice as long as the one before. */
  readonly resendAfterMs: number;
  /** The cap on that wait. */
  readonly maxResendAfterMs: number;
  /** Events held at most; past it the oldest is given up and counted as dropped (memory is finite). */
  readonly maxHeld: number;
  /**
   * For a consumer that acknowledges in the order it receives: an event held this much longer than
   * one already acknowledged was skipped (lost on the way), and is due at once instead of after
   * `resendAfterMs`. Unset for a consumer whose acknowledgements may come out of order.
   */
  readonly skippedAfterMs?: number;
}

/** Defaults quick enough to cover a component restart, slow enough not to flood a slow consumer. */
export const DEFAULT_RESEND_POLICY: ResendPolicy = {
  resendAfterMs: 5_000,
  maxResendAfterMs: 60_000,
  maxHeld: 10_000,
};

interface Held<T> {
  readonly event: T;
  readonly heldAt: number;
  dueAt: number;
  resends: number;
}

/**
 * Events a producer has published and its consumer has not yet acknowledged at the application level
 * (an SMIB waiting for SlotGateway on `smib/{machineId}/acks`, SlotGateway waiting for Uplink), with
 * when each is due to be sent again. Pure: the caller supplies the time and does the sending.
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
    this.#held.set(event.eventId, { event, heldAt: nowMs, dueAt: nowMs + this.#policy.resendAfterMs, resends: 0 });
  }

  /**
   * Forgets acknowledged events and returns them; ids not held (acknowledged twice, or another
   * producer's) are ignored. With `skippedAfterMs`, events held that much before the newest one
   * acknowledged, and not sent again yet, become due at `nowMs`.
   */
  acknowledge(eventIds: Iterable<string>, nowMs: number): T[] {
    const out: T[] = [];
    let newestHeldAt = Number.NEGATIVE_INFINITY;
    for (const id of eventIds) {
      const held = this.#held.get(id);
      if (held === undefined) continue;
      this.#held.delete(id);
      newestHeldAt = Math.max(newestHeldAt, held.heldAt);
      out.push(held.event);
    }
    const { skippedAfterMs } = this.#policy;
    if (skippedAfterMs !== undefined) {
      // Held in publish order: stop at the first event not held long enough before.
      for (const held of this.#held.values()) {
        if (held.heldAt > newestHeldAt - skippedAfterMs) break;
        if (held.resends === 0) held.dueAt = Math.min(held.dueAt, nowMs);
      }
    }
    return out;
  }

  /**
   * The events due to be sent again at `nowMs`, oldest first, each rescheduled with its wait doubled;
   * at most `limit`, so a consumer back after a long outage is not handed everything at once (the
   * rest stay due for the next call).
   */
  due(nowMs: number, limit = Number.POSITIVE_INFINITY): T[] {
    const out: T[] = [];
    for (const held of this.#held.values()) {
      if (out.length >= limit) break;
      if (held.dueAt > nowMs) continue;
      held.resends += 1;
      held.dueAt = nowMs + Math.min(this.#policy.maxResendAfterMs, this.#policy.resendAfterMs * 2 ** held.resends);
      out.push(held.event);
    }
    this.#resent += out.length;
    return out;
  }
}
