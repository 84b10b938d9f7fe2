import { IntakeAck, LOCAL_TOPICS, parseJsonWith, type UplinkStream } from '@croupier/contracts';
import type { Logger } from '../logger.js';
import type { Subscription, Transport } from '../transport/transport.js';
import { type ResendPolicy, UnackedEvents } from './unacked-events.js';

export interface UplinkConfirmationsOptions<T extends { readonly eventId: string }> {
  readonly transport: Transport;
  readonly logger: Logger;
  /** The Uplink stream the held events go to: acknowledgements for other streams are ignored. */
  readonly stream: UplinkStream;
  readonly policy: ResendPolicy;
  /** Publishes an event again; a rejection is logged and the event stays held for its next turn. */
  readonly resend: (event: T) => Promise<void>;
  /** Called with the events Uplink has just confirmed. */
  readonly onConfirmed?: (events: T[]) => void;
  /** Resends per check, so a backlog after a long Uplink outage goes out paced. */
  readonly resendsPerCheck: number;
  readonly checkEveryMs?: number;
  readonly now?: () => number;
}

const DEFAULT_CHECK_EVERY_MS = 1_000;
const SETTLE_POLL_MS = 50;

/**
 * A producer's side of Uplink's intake acknowledgements (`croupier/local/uplink/acks`): holds each
 * event it published on a local topic until Uplink confirms it journalled, and publishes it again
 * when due ({@link ResendPolicy}). Needed because Greengrass IPC neither acknowledges a delivery nor
 * queues for a subscriber that is down: a publish while Uplink restarts is otherwise lost.
 */
export class UplinkConfirmations<T extends { readonly eventId: string }> {
  readonly #options: UplinkConfirmationsOptions<T>;
  readonly #held: UnackedEvents<T>;
  #subscription: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  #refused = 0;

  constructor(options: UplinkConfirmationsOptions<T>) {
    this.#options = options;
    this.#held = new UnackedEvents(options.policy);
  }

  /** Events waiting for Uplink's confirmation. */
  get size(): number {
    return this.#held.size;
  }

  /** Resends so far. */
  get resent(): number {
    return this.#held.resent;
  }

  /** Events given up unconfirmed because the policy's `maxHeld` was reached. */
  get dropped(): number {
    return this.#held.dropped;
  }

  /** Acknowledgement messages refused by the contract. */
  get refused(): number {
    return this.#refused;
  }

  /** Listens for Uplink's acknowledgements and starts resending. */
  async start(): Promise<void> {
    this.#subscription = await this.#options.transport.subscribeLocal(LOCAL_TOPICS.intakeAcks, ({ payload }) =>
      this.#onAck(payload),
    );
    this.#timer = setInterval(() => this.#resendDue(), this.#options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS).unref();
  }

  /** Stops resending and listening; what is held is forgotten (a durable producer keeps its own copy). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#subscription?.close();
    this.#subscription = undefined;
  }

  /**
   * Waits, while resends go on, until Uplink has confirmed everything held or `timeoutMs` has passed;
   * resolves with how many are still unconfirmed. For a clean stop, to leave as little as possible
   * to be resent by the next start.
   */
  async settle(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.#held.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
    return this.#held.size;
  }

  /** Holds an event about to be published until Uplink confirms it. */
  hold(event: T): void {
    this.#held.hold(event, this.#now());
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #onAck(payload: Buffer): void {
    const ack = parseJsonWith(IntakeAck, payload);
    if (!ack.ok) {
      this.#refused += 1;
      this.#options.logger.warn('acknowledgement from Uplink refused by the contract', { reason: ack.error.message });
      return;
    }
    if (ack.value.stream !== this.#options.stream) return;
    const confirmed = this.#held.acknowledge(ack.value.eventIds, this.#now());
    if (confirmed.length > 0) this.#options.onConfirmed?.(confirmed);
  }

  #resendDue(): void {
    for (const event of this.#held.due(this.#now(), this.#options.resendsPerCheck)) {
      this.#options.resend(event).catch((error: unknown) =>
        this.#options.logger.warn('event not resent', {
          stream: this.#options.stream,
          eventId: event.eventId,
          error,
        }),
      );
    }
  }
}
