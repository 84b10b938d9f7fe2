import { resolve } from 'node:path';
import {
  DisplayMessage,
  LOCAL_TOPICS,
  type MachineIdentity,
  OfferDownlink,
  parseTopic,
  parseWith,
  SlotEvent,
  SMIB_EVENTS_FILTER,
  SmibEvent,
  smibDisplayTopic,
} from '@croupier/contracts';
import {
  type HealthReporter,
  type Logger,
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

export interface SlotGatewayOptions {
  readonly transport: Transport;
  readonly logger: Logger;
  readonly thingName: string;
  readonly version: string;
  readonly configuration: SlotGatewayConfiguration;
  /** Where relative dead-letter and session paths are resolved; the component work directory. */
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
 * Delivery: each event is published on as soon as it is handled (no batching), with QoS 1, and the
 * handler awaits the broker's acknowledgement (PUBACK, or the nucleus's answer over IPC). A card-in or
 * card-out is saved to the session file at the same time, not before, so the save never delays the
 * publish. The residual loss window is from receipt until the onward publish has reached the broker:
 * JSON parsing, validation, one HMAC, the wait for the event loop and the write to the socket. An
 * event inside that window when the process is killed is lost, because the inbound side cannot defer
 * its acknowledgement: the aws-crt MQTT client acknowledges a QoS 1 message as soon as it arrives,
 * before the handler runs, and Greengrass IPC `SubscribeToTopic` has no acknowledgement at all. A true
 * at-least-once handoff needs the SMIB to resend what SlotGateway has not passed on, on the Greengrass
 * client-device broker (for example against an application-level acknowledgement on its display
 * topic); the SMIB's eventId makes such resends safe, since duplicates are dropped here and downstream.
 */
export class SlotGateway {
  readonly #options: SlotGatewayOptions;
  #key: Buffer;
  #machines: Map<string, MachineIdentity>;
  #duplicates: DuplicateFilter;
  readonly #sessions: SessionTracker;
  readonly #sessionFile: SessionFile;
  readonly #deadLetters: DeadLetterFile;
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

  private constructor(options: SlotGatewayOptions, sessionFile: SessionFile, sessions: SessionTracker) {
    this.#options = options;
    this.#sessionFile = sessionFile;
    this.#sessions = sessions;
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
    const gateway = new SlotGateway(options, sessionFile, new SessionTracker(loaded.sessions));
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
    await Promise.all([this.#deadLetters.flushed(), this.#sessionFile.flushed()]);
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
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.#deadLetter(topic, payload, 'invalid_json: payload is not JSON');
    }
    const event = parseWith(SmibEvent, raw);
    if (!event.ok) return this.#deadLetter(topic, payload, event.error.message);
    if (event.value.machineId !== parsedTopic.value.machineId) {
      return this.#deadLetter(topic, payload, `machineId ${event.value.machineId} does not match the topic's machine`);
    }
    if (!this.#duplicates.firstSeen(event.value.eventId, this.#now())) {
      this.#counters.duplicates += 1;
      return;
    }
    const machine = this.#machines.get(event.value.machineId);
    if (!machine) this.#counters.unknownMachine += 1;
    const out = parseWith(SlotEvent, tokenise(event.value, this.#key, this.#sessions, machine));
    if (!out.ok) return this.#deadLetter(topic, payload, out.error.message);
    const saved =
      event.value.type === 'card_in' || event.value.type === 'card_out' ? this.#saveSessions() : Promise.resolve();
    await Promise.all([
      this.#options.transport.publishLocal(LOCAL_TOPICS.slotEvents, Buffer.from(JSON.stringify(out.value))),
      saved,
    ]);
    this.#counters.forwarded += 1;
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
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      raw = undefined;
    }
    const offer = parseWith(OfferDownlink, raw);
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
