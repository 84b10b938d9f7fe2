import { LOCAL_TOPICS, type SlotEvent } from '@croupier/contracts';
import { type Logger, type Outbox, type Transport, type UnsentEvents, UplinkConfirmations } from '@croupier/edge-kit';
import type { SlotGatewayConfiguration } from './configuration.js';

export interface UplinkHandoffOptions {
  readonly transport: Transport;
  readonly logger: Logger;
  readonly outbox: Outbox<SlotEvent>;
  readonly configuration: SlotGatewayConfiguration['outbox'];
  readonly now: () => number;
}

/** A slot event waiting for Uplink's acknowledgement, and where it sits in the outbox. */
interface Unconfirmed {
  readonly eventId: string;
  readonly seq: number | undefined;
  readonly event: SlotEvent;
}

/**
 * Resends per check: after a long Uplink outage every held event falls due at once; this paces them
 * at a fifth of what Uplink takes in (BENCHMARKS.md), beside the live traffic.
 */
const RESENDS_PER_CHECK = 1_000;
/** Backoff between attempts to publish a slot event local pub/sub refused. */
const PUBLISH_RETRY_MIN_MS = 250;
const PUBLISH_RETRY_MAX_MS = 30_000;

/**
 * How SlotGateway hands slot events to Uplink without losing one: each is written to the
 * {@link Outbox} (synchronously, in the caller's tick), published with QoS 1 (a publish local pub/sub
 * refuses is retried with backoff), and kept until confirmed, then committed out of the outbox.
 *
 * Confirmed means, with `confirmBy: uplink`, that Uplink acknowledged it on `croupier/local/uplink/acks`
 * once journalled. Greengrass IPC neither acknowledges a delivery nor queues for a subscriber that is
 * down, so a publish while Uplink restarts is otherwise lost. Uplink acknowledges in the order it
 * receives, so an event held `resend.skippedAfterMs` longer than one already acknowledged was lost on
 * the way and is sent again at once; one with no later acknowledgement (Uplink down, or catching up
 * on a backlog) waits `resend.afterMs`, doubling up to `resend.maxAfterMs`, so a slow Uplink is not
 * flooded with copies. With `confirmBy: broker`, the publish's own acknowledgement (PUBACK, or the
 * nucleus's answer) is enough.
 */
export class UplinkHandoff {
  readonly #options: UplinkHandoffOptions;
  readonly #unconfirmed: UplinkConfirmations<Unconfirmed>;
  #stopping = false;
  #redelivered = 0;
  #publishRetries = 0;

  constructor(options: UplinkHandoffOptions) {
    this.#options = options;
    const { resend } = options.configuration;
    this.#unconfirmed = new UplinkConfirmations({
      transport: options.transport,
      logger: options.logger,
      stream: 'slot',
      policy: {
        resendAfterMs: resend.afterMs,
        maxResendAfterMs: resend.maxAfterMs,
        maxHeld: resend.maxHeld,
        skippedAfterMs: resend.skippedAfterMs,
      },
      resend: ({ event }) =>
        options.transport.publishLocal(LOCAL_TOPICS.slotEvents, Buffer.from(JSON.stringify(event))),
      onConfirmed: (events) => {
        for (const { seq } of events) options.outbox.sent(seq);
      },
      resendsPerCheck: RESENDS_PER_CHECK,
      now: options.now,
    });
  }

  /** Listens for Uplink's acknowledgements (with `confirmBy: uplink`) and starts resending. */
  async start(): Promise<void> {
    if (this.#options.configuration.confirmBy === 'uplink') await this.#unconfirmed.start();
  }

  /** Stops resending and listening, and closes the outbox: what is unconfirmed stays there for the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#unconfirmed.stop();
    await this.#options.outbox.close();
  }

  /** What the outbox held at start: events accepted by an earlier run and never confirmed. */
  unsent(): Promise<UnsentEvents<SlotEvent>> {
    return this.#options.outbox.unsent();
  }

  /**
   * Writes an event to the outbox before anything is awaited, so it survives a kill of the process
   * from here on; returns its seq, `undefined` if the outbox could not write it.
   */
  accept(event: SlotEvent): number | undefined {
    return this.#options.outbox.add(event);
  }

  /** Resolves once every event accepted so far is as durable as the outbox's fsync policy promises. */
  durable(): Promise<void> {
    return this.#options.outbox.durable();
  }

  /**
   * Publishes an accepted event and holds it until confirmed. Resolves once local pub/sub acknowledged the publish, false if the component stopped
   * first (the event then stays in the outbox).
   */
  async deliver(event: SlotEvent, seq: number | undefined): Promise<boolean> {
    const uplinkConfirms = this.#options.configuration.confirmBy === 'uplink';
    if (uplinkConfirms) this.#unconfirmed.hold({ eventId: event.eventId, seq, event });
    if (!(await this.#publish(event))) return false;
    if (!uplinkConfirms) this.#options.outbox.sent(seq);
    return true;
  }

  metrics(): Record<string, number> {
    return {
      'outbox.pending': this.#options.outbox.pending,
      'outbox.resent': this.#redelivered + this.#unconfirmed.resent,
      'outbox.writeFailures': this.#options.outbox.failedWrites,
      'outbox.unconfirmed': this.#unconfirmed.size,
      'outbox.droppedUnconfirmed': this.#unconfirmed.dropped,
      'outbox.refusedAcks': this.#unconfirmed.refused,
      'publish.retries': this.#publishRetries,
    };
  }

  /** Publishes again, in order, the events {@link UplinkHandoff.unsent} returned. */
  async redeliver(entries: UnsentEvents<SlotEvent>['entries']): Promise<void> {
    for (const { event, seq } of entries) {
      if (!(await this.deliver(event, seq))) return;
      this.#redelivered += 1;
    }
  }

  async #publish(event: SlotEvent): Promise<boolean> {
    const payload = Buffer.from(JSON.stringify(event));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#options.transport.publishLocal(LOCAL_TOPICS.slotEvents, payload);
        return true;
      } catch (e) {
        if (this.#stopping) return false;
        this.#publishRetries += 1;
        const delayMs = Math.min(PUBLISH_RETRY_MAX_MS, PUBLISH_RETRY_MIN_MS * 2 ** attempt);
        this.#options.logger.warn('slot event not published; retrying', { eventId: event.eventId, delayMs, error: e });
        await new Promise((r) => setTimeout(r, delayMs));
        if (this.#stopping) return false;
      }
    }
  }
}
