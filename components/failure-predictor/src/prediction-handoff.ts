import { resolve } from 'node:path';
import { FailurePrediction, LOCAL_TOPICS, MaintenanceAlert } from '@croupier/contracts';
import { type Logger, Outbox, type Transport, UplinkConfirmations } from '@croupier/edge-kit';
import { z } from 'zod';
import type { PredictorConfig } from './config.js';

/** What FailurePredictor hands to Uplink, as its outbox holds it. */
export const PredictorEvent = z.union([FailurePrediction, MaintenanceAlert]);
export type PredictorEvent = z.infer<typeof PredictorEvent>;

export interface PredictionHandoffOptions {
  readonly transport: Transport;
  readonly logger: Logger;
  readonly configuration: PredictorConfig['delivery'];
  /** Where a relative `outbox.directory` is resolved: the component's work directory. */
  readonly workDirectory: string;
}

/** An event waiting for Uplink's confirmation, and where it sits in the outbox. */
interface Unconfirmed {
  readonly eventId: string;
  readonly seq: number | undefined;
  readonly event: PredictorEvent;
}

/** Resends per second at most, so a backlog held through a long Uplink outage goes out paced. */
const RESENDS_PER_CHECK = 500;

const topicOf = (event: PredictorEvent) =>
  event.type === 'maintenance_alert' ? LOCAL_TOPICS.alerts : LOCAL_TOPICS.predictions;

/**
 * How FailurePredictor hands predictions and alerts to Uplink without losing one: each is written to
 * the {@link Outbox} in the tick it is produced, published, and kept until confirmed (with
 * `confirmBy: uplink`, Uplink's acknowledgement on the alert stream, resent until then; with
 * `confirmBy: broker`, the publish's own acknowledgement), then committed out of the outbox.
 *
 * The outbox is what makes a kill of the predictor safe: the windows that raised an alert die with
 * the process, and an alert raised but never confirmed would not be raised again from new telemetry
 * (nor a cleared one cleared, the device then looking normal). The next start publishes it again,
 * with its eventId, which Uplink's receivers deduplicate.
 */
export class PredictionHandoff {
  readonly #options: PredictionHandoffOptions;
  readonly #outbox: Outbox<PredictorEvent>;
  readonly #confirmations: UplinkConfirmations<Unconfirmed> | undefined;
  readonly #publishing = new Set<Promise<void>>();
  #publishFailures = 0;
  #redelivered = 0;

  private constructor(options: PredictionHandoffOptions, outbox: Outbox<PredictorEvent>) {
    this.#options = options;
    this.#outbox = outbox;
    const { configuration: delivery, transport, logger } = options;
    this.#confirmations =
      delivery.confirmBy === 'uplink'
        ? new UplinkConfirmations<Unconfirmed>({
            transport,
            logger,
            stream: 'alert',
            policy: {
              resendAfterMs: delivery.resendAfterMs,
              maxResendAfterMs: delivery.maxResendAfterMs,
              skippedAfterMs: delivery.skippedAfterMs,
              maxHeld: delivery.maxHeld,
            },
            resend: ({ event }) => transport.publishLocal(topicOf(event), Buffer.from(JSON.stringify(event))),
            onConfirmed: (events) => {
              for (const { seq } of events) outbox.sent(seq);
            },
            resendsPerCheck: RESENDS_PER_CHECK,
          })
        : undefined;
  }

  /**
   * Opens the outbox, listens for Uplink's acknowledgements, and publishes again, in order, what an
   * earlier run left unconfirmed.
   */
  static async start(options: PredictionHandoffOptions): Promise<PredictionHandoff> {
    const { directory, segmentBytes, fsync } = options.configuration.outbox;
    const outbox = await Outbox.open({
      directory: resolve(options.workDirectory, directory),
      segmentBytes,
      fsync,
      logger: options.logger,
      name: 'predictions-and-alerts',
      schema: PredictorEvent,
    });
    const handoff = new PredictionHandoff(options, outbox);
    await handoff.#confirmations?.start();
    await handoff.#redeliver();
    return handoff;
  }

  /** Writes the event to the outbox, then publishes it and holds it until confirmed. */
  deliver(event: PredictorEvent): void {
    this.#send(event, this.#outbox.add(event));
  }

  /**
   * Waits up to `settleMs` for Uplink to confirm what is held, then stops listening and closes the
   * outbox: what is still unconfirmed stays there for the next start.
   */
  async stop(settleMs: number): Promise<void> {
    const unconfirmed = (await this.#confirmations?.settle(settleMs)) ?? 0;
    if (unconfirmed > 0)
      this.#options.logger.warn('stopping with predictions and alerts Uplink has not confirmed; kept in the outbox', {
        unconfirmed,
      });
    await this.#confirmations?.stop();
    await Promise.allSettled(this.#publishing);
    await this.#outbox.close();
  }

  metrics(): Record<string, number> {
    return {
      'publish.failures': this.#publishFailures,
      'delivery.unconfirmed': this.#confirmations?.size ?? 0,
      'delivery.resent': this.#confirmations?.resent ?? 0,
      'delivery.redelivered': this.#redelivered,
      'delivery.droppedUnconfirmed': this.#confirmations?.dropped ?? 0,
      'delivery.refusedAcks': this.#confirmations?.refused ?? 0,
      'outbox.pending': this.#outbox.pending,
      'outbox.writeFailures': this.#outbox.failedWrites,
    };
  }

  async #redeliver(): Promise<void> {
    const { entries, unreadable } = await this.#outbox.unsent();
    if (unreadable > 0)
      this.#options.logger.error('outbox records that are not predictions or alerts; dropped', { unreadable });
    if (entries.length === 0) return;
    this.#options.logger.warn(
      'predictions and alerts from before the last stop were never confirmed; sending them again',
      {
        events: entries.length,
      },
    );
    for (const { event, seq } of entries) this.#send(event, seq);
    this.#redelivered += entries.length;
  }

  /** A refused publish is not retried here: with Uplink confirming it is resent, else the outbox keeps it. */
  #send(event: PredictorEvent, seq: number | undefined): void {
    this.#confirmations?.hold({ eventId: event.eventId, seq, event });
    const topic = topicOf(event);
    const publishing = this.#options.transport.publishLocal(topic, Buffer.from(JSON.stringify(event))).then(
      () => {
        if (!this.#confirmations) this.#outbox.sent(seq);
      },
      (error: unknown) => {
        this.#publishFailures += 1;
        this.#options.logger.warn('not published', { topic, eventId: event.eventId, error });
      },
    );
    this.#publishing.add(publishing);
    publishing.finally(() => this.#publishing.delete(publishing));
  }
}
