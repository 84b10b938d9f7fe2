import { resolve } from 'node:path';
import {
  DisplayMessage,
  EventId,
  LOCAL_TOPICS,
  MAX_SMIB_ACK_IDS,
  type MachineIdentity,
  OfferDownlink,
  parseJsonWith,
  parseTopic,
  parseWith,
  SlotEvent,
  SMIB_EVENTS_FILTER,
  SmibEvent,
  smibAcksTopic,
  smibDisplayTopic,
} from '@croupier/contracts';
import {
  AcknowledgementBatcher,
  type HealthReporter,
  type Logger,
  Outbox,
  type Subscription,
  startHealthReporter,
  type Transport,
} from '@croupier/edge-kit';
import { playerTokenKey, type SlotGatewayConfiguration } from './configuration.js';
import { DeadLetterFile } from './dead-letter.js';
import { DuplicateFilter } from './duplicate-filter.js';
import { SessionFile } from './session-file.js';
import { SessionTracker } from './session-tracker.js';
import { tokenise } from './tokenise.js';
import { UplinkHandoff } from './uplink-handoff.js';

export interface SlotGatewayOptions {
  readonly transport: Transport;
  readonly logger: Logger;
  readonly thingName: string;
  readonly version: string;
  readonly configuration: SlotGatewayConfiguration;
  /** Where relative dead-letter, session and outbox paths are resolved; the component work directory. */
  readonly workDirectory?: string;
  readonly now?: () => number;
}

interface Counters {
  received: number;
  forwarded: number;
  duplicates: number;
  deadLettered: number;
  unknownMachine: number;
  offersShown: number;
  offersRefused: number;
  sessionSaveFailures: number;
}

/**
 * com.croupier.SlotGateway: SMIB events in (`smib/+/events`, bridged from the client-device broker to
 * local pub/sub), validated against the contract, de-duplicated by eventId, tokenised and enriched,
 * out to Uplink on `LOCAL_TOPICS.slotEvents`; offers from `LOCAL_TOPICS.offers` out to the machine's
 * `smib/{machineId}/display`. Refused input goes to the dead-letter file with its reason; the good
 * events beside it carry on. Open card sessions are kept in the work directory (`SessionFile`) and
 * resumed at start.
 *
 * Delivery to Uplink is the {@link UplinkHandoff}'s: each event is written to the outbox in the tick
 * its SMIB message is handled and kept, resent, until Uplink confirms it; at start, what the outbox
 * still holds is published again, its card-ins and card-outs replayed into the open sessions. A
 * card-in or card-out is also saved to the session file, beside the publish.
 *
 * Acknowledgement to the SMIB: once an event is durable in the outbox (or recognised as a duplicate,
 * or dead-lettered), its id goes back to the machine on `smib/{machineId}/acks`, batched, and the
 * SMIB stops resending it. That closes the one window the gateway cannot: its inbound side acknowledges
 * on receipt (the aws-crt MQTT client as a QoS 1 message arrives, Greengrass IPC `SubscribeToTopic`
 * not at all, the MQTT bridge on relay), so a message received and still queued for the event loop
 * when the process dies is lost here, and comes back from the SMIB. Duplicates that resends make are
 * dropped by eventId here and downstream.
 */
export class SlotGateway {
  readonly #options: SlotGatewayOptions;
  #key: Buffer;
  #machines: Map<string, MachineIdentity>;
  #duplicates: DuplicateFilter;
  readonly #sessions: SessionTracker;
  readonly #sessionFile: SessionFile;
  readonly #deadLetters: DeadLetterFile;
  readonly #handoff: UplinkHandoff;
  readonly #subscriptions: Subscription[] = [];
  readonly #counters: Counters = {
    received: 0,
    forwarded: 0,
    duplicates: 0,
    deadLettered: 0,
    unknownMachine: 0,
    offersShown: 0,
    offersRefused: 0,
    sessionSaveFailures: 0,
  };
  #health: HealthReporter | undefined;
  /** Acknowledgements to the SMIBs, by machine. */
  readonly #smibAcks: AcknowledgementBatcher;

  private constructor(
    options: SlotGatewayOptions,
    sessionFile: SessionFile,
    sessions: SessionTracker,
    outbox: Outbox<SlotEvent>,
  ) {
    this.#options = options;
    this.#sessionFile = sessionFile;
    this.#sessions = sessions;
    this.#handoff = new UplinkHandoff({
      transport: options.transport,
      logger: options.logger,
      outbox,
      configuration: options.configuration.outbox,
      now: () => this.#now(),
    });
    this.#smibAcks = new AcknowledgementBatcher({
      delayMs: options.configuration.smibAcks.delayMs,
      maxIds: MAX_SMIB_ACK_IDS,
      send: (machineId, eventIds) =>
        options.transport.publishLocal(smibAcksTopic(machineId), Buffer.from(JSON.stringify({ machineId, eventIds }))),
      // The SMIB resends what it does not hear back about; the resend is acknowledged as a duplicate.
      onError: (machineId, eventIds, error) =>
        options.logger.warn('acknowledgement to the SMIB not sent', { machineId, events: eventIds.length, error }),
    });
    const { configuration } = options;
    this.#key = playerTokenKey(configuration);
    this.#machines = new Map(configuration.machines.map((m) => [m.machineId, m]));
    this.#duplicates = new DuplicateFilter(configuration.duplicates.maxEntries, configuration.duplicates.windowMs);
    this.#deadLetters = new DeadLetterFile(
      resolve(workDirectory(options), configuration.deadLetter.path),
      configuration.deadLetter.maxBytes,
    );
  }

  static async start(options: SlotGatewayOptions): Promise<SlotGateway> {
    const { transport, logger } = options;
    const sessionFile = new SessionFile(resolve(workDirectory(options), options.configuration.sessions.path));
    const loaded = await sessionFile.load();
    if (loaded.problem) {
      logger.error('open sessions not resumed: session file unusable', { problem: loaded.problem });
    }
    const outbox = await Outbox.open({
      directory: resolve(workDirectory(options), options.configuration.outbox.directory),
      segmentBytes: options.configuration.outbox.segmentBytes,
      fsync: options.configuration.outbox.fsync,
      logger,
      name: 'slot-events',
      schema: SlotEvent,
    });
    const gateway = new SlotGateway(options, sessionFile, new SessionTracker(loaded.sessions), outbox);
    await gateway.#handoff.start();
    // Before subscribing to the SMIBs, so what the last run accepted goes out ahead of anything newer.
    await gateway.#resendUnsent();
    gateway.#subscriptions.push(
      await transport.subscribeLocal(SMIB_EVENTS_FILTER, ({ topic, payload }) =>
        gateway.#onSmibMessage(topic, payload),
      ),
      await transport.subscribeLocal(LOCAL_TOPICS.offers, ({ payload }) => gateway.#onOffer(payload)),
    );
    gateway.#health = startHealthReporter({
      transport,
      logger: options.logger,
      core: options.thingName,
      component: 'com.croupier.SlotGateway',
      componentVersion: options.version,
      intervalMs: options.configuration.healthIntervalMs,
      metrics: () => gateway.metrics(),
      ...(options.now ? { now: options.now } : {}),
    });
    logger.info('slot gateway started', {
      machines: gateway.#machines.size,
      resumedSessions: gateway.#sessions.openSessions,
    });
    return gateway;
  }

  /** Applies a new key, machine list and duplicate window at once. */
  reconfigure(next: SlotGatewayConfiguration): void {
    this.#key = playerTokenKey(next);
    this.#machines = new Map(next.machines.map((m) => [m.machineId, m]));
    const { maxEntries, windowMs } = next.duplicates;
    const previous = this.#options.configuration.duplicates;
    if (maxEntries !== previous.maxEntries || windowMs !== previous.windowMs) {
      this.#duplicates = new DuplicateFilter(maxEntries, windowMs);
    }
  }

  metrics(): Record<string, number> {
    return {
      'smib.received': this.#counters.received,
      'smib.forwarded': this.#counters.forwarded,
      'smib.duplicates': this.#counters.duplicates,
      'smib.deadLettered': this.#counters.deadLettered,
      'smib.unknownMachine': this.#counters.unknownMachine,
      'sessions.open': this.#sessions.openSessions,
      'sessions.saveFailures': this.#counters.sessionSaveFailures,
      ...this.#handoff.metrics(),
      'acks.sent': this.#smibAcks.sent,
      'acks.failed': this.#smibAcks.failed,
      'offers.shown': this.#counters.offersShown,
      'offers.refused': this.#counters.offersRefused,
    };
  }

  /** Resolves when every dead letter so far is on disk. */
  deadLettersFlushed(): Promise<void> {
    return this.#deadLetters.flushed();
  }

  async stop(): Promise<void> {
    this.#health?.stop();
    await Promise.allSettled(this.#subscriptions.map((s) => s.close()));
    await Promise.all([this.#deadLetters.flushed(), this.#sessionFile.flushed(), this.#handoff.stop()]);
    await this.#smibAcks.flush();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async #onSmibMessage(topic: string, payload: Buffer): Promise<void> {
    this.#counters.received += 1;
    const parsedTopic = parseTopic(topic);
    if (!parsedTopic.ok || parsedTopic.value.kind !== 'smibEvents') {
      return this.#deadLetter(topic, payload, `not an SMIB events topic`);
    }
    const { machineId } = parsedTopic.value;
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.#deadLetter(topic, payload, 'invalid_json: payload is not JSON');
    }
    const event = parseWith(SmibEvent, raw);
    if (!event.ok) return this.#refuse(machineId, raw, topic, payload, event.error.message);
    if (event.value.machineId !== machineId) {
      return this.#refuse(
        machineId,
        raw,
        topic,
        payload,
        `machineId ${event.value.machineId} does not match the topic's machine`,
      );
    }
    if (!this.#duplicates.firstSeen(event.value.eventId, this.#now())) {
      this.#counters.duplicates += 1;
      this.#smibAcks.add(machineId, event.value.eventId);
      return;
    }
    const machine = this.#machines.get(machineId);
    if (!machine) this.#counters.unknownMachine += 1;
    const out = parseWith(SlotEvent, tokenise(event.value, this.#key, this.#sessions, machine));
    if (!out.ok) return this.#refuse(machineId, raw, topic, payload, out.error.message);
    // Written before anything is awaited: from here on the event survives a kill of the process.
    const seq = this.#handoff.accept(out.value);
    if (seq !== undefined) {
      // Not acknowledged if the outbox could not take it: the SMIB keeps it and sends it again.
      this.#handoff.durable().then(
        () => this.#smibAcks.add(machineId, out.value.eventId),
        () => {},
      );
    }
    const saved =
      event.value.type === 'card_in' || event.value.type === 'card_out' ? this.#saveSessions() : Promise.resolve();
    const [published] = await Promise.all([this.#handoff.deliver(out.value, seq), saved]);
    if (published) this.#counters.forwarded += 1;
  }

  /**
   * Dead-letters a message refused by the contract and, when it names an event id, acknowledges it:
   * resending it would be refused the same way.
   */
  async #refuse(machineId: string, raw: unknown, topic: string, payload: Buffer, reason: string): Promise<void> {
    const written = this.#deadLetter(topic, payload, reason);
    const eventId = EventId.safeParse((raw as { eventId?: unknown } | null)?.eventId);
    if (eventId.success) this.#smibAcks.add(machineId, eventId.data);
    await written;
  }

  /** Publishes what the outbox held at start, in order, and brings the open sessions up to date with it. */
  async #resendUnsent(): Promise<void> {
    const { entries, unreadable } = await this.#handoff.unsent();
    if (unreadable > 0) this.#options.logger.error('outbox records that are not slot events; dropped', { unreadable });
    if (entries.length === 0) return;
    this.#options.logger.warn(
      'slot events accepted before the last stop were never acknowledged; publishing them again',
      {
        events: entries.length,
      },
    );
    const now = this.#now();
    for (const { event } of entries) {
      this.#sessions.follow(event);
      this.#duplicates.firstSeen(event.eventId, now);
    }
    if (entries.some(({ event }) => event.type === 'card_in' || event.type === 'card_out')) await this.#saveSessions();
    await this.#handoff.redeliver(entries);
  }

  /** A session file that cannot be written costs ratings after a restart, never the event itself. */
  async #saveSessions(): Promise<void> {
    try {
      await this.#sessionFile.save(this.#sessions.snapshot());
    } catch (e) {
      this.#counters.sessionSaveFailures += 1;
      this.#options.logger.error('open sessions not saved', { error: e });
    }
  }

  async #onOffer(payload: Buffer): Promise<void> {
    const offer = parseJsonWith(OfferDownlink, payload);
    const now = this.#now();
    if (!offer.ok || offer.value.expiresAt <= now) {
      this.#counters.offersRefused += 1;
      this.#options.logger.warn('offer not shown', { reason: offer.ok ? 'expired' : offer.error.message });
      return;
    }
    const message = DisplayMessage.parse({
      kind: 'offer',
      offerId: offer.value.offerId,
      machineId: offer.value.machineId,
      text: offer.value.text,
      valueCents: offer.value.valueCents,
      expiresAt: offer.value.expiresAt,
      sentAt: now,
    });
    await this.#options.transport.publishLocal(
      smibDisplayTopic(message.machineId),
      Buffer.from(JSON.stringify(message)),
    );
    this.#counters.offersShown += 1;
  }

  async #deadLetter(topic: string, payload: Buffer, reason: string): Promise<void> {
    this.#counters.deadLettered += 1;
    this.#options.logger.warn('SMIB message dead-lettered', { topic, reason });
    try {
      await this.#deadLetters.write({ receivedAt: this.#now(), topic, reason, payload: payload.toString('utf8') });
    } catch (e) {
      this.#options.logger.error('dead-letter file not writable', { error: e });
    }
  }
}

function workDirectory(options: SlotGatewayOptions): string {
  return options.workDirectory ?? process.cwd();
}
