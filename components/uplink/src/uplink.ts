import { join, resolve } from 'node:path';
import {
  type Compression,
  decodeEnvelopeHeader,
  encodeEnvelope,
  LOCAL_TOPICS,
  lakeHourOf,
  MAX_INTAKE_ACK_IDS,
  OfferDownlink,
  offersTopic,
  parseStreamEvent,
  type StreamEvent,
  UPLINK_STREAMS,
  type UplinkStream,
  uplinkTopic,
} from '@croupier/contracts';
import {
  AcknowledgementBatcher,
  type ComponentUpdateDecision,
  type ComponentUpdateNotice,
  type HealthReporter,
  type Logger,
  Spool,
  type Subscription,
  startHealthReporter,
  type Transport,
} from '@croupier/edge-kit';
import { CommitPoint } from './commit-point.js';
import { envelopeBudget, MAX_MESSAGE_BYTES, type UplinkConfiguration } from './configuration.js';
import { HourlyEnvelopeBatcher } from './hourly-envelope-batcher.js';
import { IntakeJournal, type JournalEntry } from './intake-journal.js';
import { StreamDrain } from './stream-drain.js';
import { LOCAL_TOPIC_STREAMS, SPOOL_STREAMS } from './stream-routing.js';
import { decideComponentUpdate } from './update-policy.js';

export interface UplinkOptions {
  readonly transport: Transport;
  readonly logger: Logger;
  /** The core's thing name: the {core} topic segment. */
  readonly thingName: string;
  readonly version: string;
  readonly configuration: UplinkConfiguration;
  /** Where a relative spool directory is resolved; the component work directory. */
  readonly workDirectory?: string;
  readonly now?: () => number;
}

/** Placeholder seq for sizing: as many digits as any real seq will have, so the real envelope is never larger. */
const SIZING_SEQ = 999_999_999_999;
/** Backoff between attempts to spool an envelope the filesystem refused (ENOSPC, EIO…). */
const SPOOL_RETRY_MIN_MS = 500;
const SPOOL_RETRY_MAX_MS = 5_000;

/** An accepted event and its place in the intake journal. */
interface Accepted {
  readonly event: StreamEvent;
  readonly entry: JournalEntry;
}

interface StreamState {
  readonly stream: UplinkStream;
  batcher: HourlyEnvelopeBatcher<Accepted>;
  /** Intake order of the events not yet spooled: how far the journal may be committed. */
  readonly commitPoint: CommitPoint<Accepted>;
  readonly journal: IntakeJournal;
  timer: NodeJS.Timeout | undefined;
  /** Batches cut but not yet spooled, in order. */
  writing: Promise<void>;
  queuedEvents: number;
  blocked: boolean;
  readonly drain: StreamDrain;
  sentEnvelopes: number;
  sentEvents: number;
  /** Events that passed the contract and were journalled; with {@link droppedEvents}, all that arrived. */
  acceptedEvents: number;
  droppedEvents: number;
  /** Attempts to spool an envelope that failed with a filesystem error; the envelope was kept and retried. */
  spoolWriteFailures: number;
  /** {@link spoolWriteFailures} when the spool last accepted a write: more means an outage is under way. */
  reportedWriteFailures: number;
}

/**
 * com.croupier.Uplink: takes events from the local topics, batches them per stream into compressed
 * envelopes sized to IoT Core's billing unit, writes every envelope to the durable spool before it is
 * published, and drains the spool upstream in order with QoS 1. The envelope seq is the spool seq,
 * so it increases by one per envelope and survives restarts; an evicted envelope leaves a visible gap.
 * It also relays offers from the cloud to the local offers topic.
 */
export class Uplink {
  readonly #options: UplinkOptions;
  #configuration: UplinkConfiguration;
  readonly #spool: Spool;
  readonly #streams = new Map<UplinkStream, StreamState>();
  readonly #subscriptions: Subscription[] = [];
  #health: HealthReporter | undefined;
  #rejectedEvents = 0;
  #rejectedOffers = 0;
  #relayedOffers = 0;
  readonly #deferrals = new Map<string, number>();
  /** Streams whose producers wait for an acknowledgement of what Uplink journalled. */
  readonly #acknowledged: ReadonlySet<UplinkStream>;
  readonly #intakeAcks: AcknowledgementBatcher;

  private constructor(options: UplinkOptions, spool: Spool, journals: ReadonlyMap<UplinkStream, IntakeJournal>) {
    this.#options = options;
    this.#configuration = options.configuration;
    this.#spool = spool;
    this.#acknowledged = new Set(options.configuration.intake.acknowledge.streams);
    this.#intakeAcks = new AcknowledgementBatcher({
      delayMs: options.configuration.intake.acknowledge.delayMs,
      maxIds: MAX_INTAKE_ACK_IDS,
      send: (stream, eventIds) =>
        options.transport.publishLocal(LOCAL_TOPICS.intakeAcks, Buffer.from(JSON.stringify({ stream, eventIds }))),
      // The producer resends what it does not hear back about; the journal takes the resend again.
      onError: (stream, eventIds, error) =>
        options.logger.warn('acknowledgement to the producer not sent', { stream, events: eventIds.length, error }),
    });
    for (const stream of UPLINK_STREAMS) {
      const drain = new StreamDrain({
        log: spool.log(stream),
        topic: uplinkTopic(options.configuration.property, options.thingName, stream),
        publish: (topic, payload) => options.transport.publishUpstream(topic, payload, 1),
        maxInFlight: options.configuration.drain.maxInFlight,
        retryMinMs: options.configuration.drain.retryMinMs,
        retryMaxMs: options.configuration.drain.retryMaxMs,
        logger: options.logger,
        onSent: (record) => this.#onSent(stream, record.payload),
      });
      this.#streams.set(stream, {
        stream,
        batcher: this.#batcher(stream),
        commitPoint: new CommitPoint(),
        journal: journals.get(stream)!,
        timer: undefined,
        writing: Promise.resolve(),
        queuedEvents: 0,
        blocked: false,
        drain,
        sentEnvelopes: 0,
        sentEvents: 0,
        acceptedEvents: 0,
        droppedEvents: 0,
        spoolWriteFailures: 0,
        reportedWriteFailures: 0,
      });
    }
  }

  /**
   * Opens (and recovers) the spool and the intake journal, batches again the events the journal holds
   * that never reached an envelope, starts draining, and subscribes to the local topics and the
   * offers downlink.
   */
  static async start(options: UplinkOptions): Promise<Uplink> {
    const { configuration } = options;
    const workDirectory = options.workDirectory ?? process.cwd();
    const journals = new Map<UplinkStream, IntakeJournal>();
    for (const stream of UPLINK_STREAMS) {
      journals.set(
        stream,
        await IntakeJournal.open({
          directory: join(resolve(workDirectory, configuration.intake.journal.directory), stream),
          stream,
          segmentBytes: configuration.intake.journal.segmentBytes,
          fsync: configuration.intake.journal.fsync,
          logger: options.logger,
        }),
      );
    }
    const spool = await Spool.open({
      directory: resolve(workDirectory, configuration.spool.directory),
      streams: SPOOL_STREAMS,
      maxBytes: configuration.spool.maxBytes,
      segmentBytes: configuration.spool.segmentBytes,
      fsync: configuration.spool.fsync,
      logger: options.logger,
      ...(options.now ? { now: options.now } : {}),
    });
    const uplink = new Uplink(options, spool, journals);
    await uplink.#replayJournal();
    for (const state of uplink.#streams.values()) state.drain.start();
    for (const { topic, stream } of LOCAL_TOPIC_STREAMS) {
      uplink.#subscriptions.push(
        await options.transport.subscribeLocal(topic, ({ payload }) => uplink.#intake(stream, payload)),
      );
    }
    uplink.#subscriptions.push(
      await options.transport.subscribeUpstream(
        offersTopic(configuration.property, options.thingName),
        ({ payload }) => uplink.#relayOffer(payload),
        1,
      ),
    );
    uplink.#health = startHealthReporter({
      transport: options.transport,
      logger: options.logger,
      core: options.thingName,
      component: 'com.croupier.Uplink',
      componentVersion: options.version,
      intervalMs: configuration.healthIntervalMs,
      metrics: () => uplink.metrics(),
      state: () => ([...uplink.#streams.values()].some((s) => s.blocked) ? 'degraded' : 'running'),
      ...(options.now ? { now: options.now } : {}),
    });
    options.logger.info('uplink started', { pending: uplink.#pendingEnvelopes(), streams: UPLINK_STREAMS });
    return uplink;
  }

  /**
   * Applies a configuration update. Batching, compression and the intake bound apply at once; spool
   * and drain settings are read at start and apply after the next restart.
   */
  reconfigure(next: UplinkConfiguration): void {
    if (next.property !== this.#configuration.property) {
      throw new Error('property cannot change while running: it is part of every topic; redeploy to change it');
    }
    this.flush();
    this.#configuration = next;
    for (const state of this.#streams.values()) state.batcher = this.#batcher(state.stream);
    this.#options.logger.info('uplink reconfigured', {
      budgetBytes: envelopeBudget(next),
      compression: next.compression,
    });
  }

  /** Cuts every pending batch into envelopes now. */
  flush(): void {
    for (const state of this.#streams.values()) this.#flushStream(state);
  }

  /** Resolves when every batch cut so far is in the spool. */
  async spooled(): Promise<void> {
    await Promise.all([...this.#streams.values()].map((s) => s.writing));
  }

  /** Answers a pending deployment: see {@link decideComponentUpdate}. */
  readonly onComponentUpdate = (notice: ComponentUpdateNotice): ComponentUpdateDecision => {
    const now = this.#now();
    const first = this.#deferrals.get(notice.deploymentId) ?? now;
    this.#deferrals.set(notice.deploymentId, first);
    const lastSuccessAt = Math.max(...[...this.#streams.values()].map((s) => s.drain.lastSuccessAt));
    return decideComponentUpdate({ pendingEnvelopes: this.#pendingEnvelopes(), lastSuccessAt }, now, first);
  };

  /** Queued, sent, dropped and age-of-oldest figures, named for CoreHealth. */
  metrics(): Record<string, number> {
    const stats = this.#spool.stats();
    const out: Record<string, number> = {
      'spool.bytes': this.#spool.bytes,
      'spool.depth': 0,
      'spool.oldestAgeMs': 0,
      'uplink.sent': 0,
      'uplink.dropped': 0,
      'intake.rejected': this.#rejectedEvents,
      'intake.journalFailures': 0,
      'intake.acksSent': this.#intakeAcks.sent,
      'intake.acksFailed': this.#intakeAcks.failed,
      'spool.writeFailures': 0,
      'offers.relayed': this.#relayedOffers,
      'offers.rejected': this.#rejectedOffers,
    };
    for (const state of this.#streams.values()) {
      const s = stats[state.stream]!;
      const prefix = state.stream;
      out[`${prefix}.queuedEnvelopes`] = s.pendingRecords;
      out[`${prefix}.oldestAgeMs`] = s.oldestPendingAgeMs;
      out[`${prefix}.evictedEnvelopes`] = s.evictedRecords;
      out[`${prefix}.bufferedEvents`] = state.batcher.size + state.queuedEvents;
      out[`${prefix}.sentEnvelopes`] = state.sentEnvelopes;
      out[`${prefix}.sentEvents`] = state.sentEvents;
      out[`${prefix}.acceptedEvents`] = state.acceptedEvents;
      out[`${prefix}.droppedEvents`] = state.droppedEvents;
      out['spool.depth']! += s.pendingRecords;
      out['spool.oldestAgeMs'] = Math.max(out['spool.oldestAgeMs']!, s.oldestPendingAgeMs);
      out['uplink.sent']! += state.sentEvents;
      out['uplink.dropped']! += state.droppedEvents;
      out['intake.journalFailures']! += state.journal.failedWrites;
      out['spool.writeFailures']! += state.spoolWriteFailures;
    }
    return out;
  }

  /** Flushes batches into the spool, stops draining and closes the spool. Unsent envelopes stay spooled. */
  async stop(): Promise<void> {
    this.#health?.stop();
    await Promise.allSettled(this.#subscriptions.map((s) => s.close()));
    this.flush();
    for (const state of this.#streams.values()) state.blocked = false;
    await this.spooled();
    for (const state of this.#streams.values()) await state.journal.close();
    await this.#intakeAcks.flush();
    await Promise.all([...this.#streams.values()].map((s) => s.drain.stop(1_000)));
    await this.#spool.close();
    this.#options.logger.info('uplink stopped', { pending: this.#pendingEnvelopes() });
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #pendingEnvelopes(): number {
    let total = 0;
    for (const stream of UPLINK_STREAMS) total += this.#spool.log(stream).pending;
    return total;
  }

  #batcher(stream: UplinkStream): HourlyEnvelopeBatcher<Accepted> {
    const { property, compression } = this.#configuration;
    return new HourlyEnvelopeBatcher<Accepted>(
      {
        budgetBytes: envelopeBudget(this.#configuration),
        maxMessageBytes: MAX_MESSAGE_BYTES,
        sizer: (accepted) =>
          encodeEnvelope(
            {
              stream,
              property,
              core: this.#options.thingName,
              seq: SIZING_SEQ,
              createdAt: this.#now(),
              events: accepted.map((a) => a.event),
            },
            compression as Compression,
          ).byteLength,
      },
      (accepted) => lakeHourOf(accepted.event.eventTime),
    );
  }

  #intake(stream: UplinkStream, payload: Buffer): void {
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#rejectedEvents += 1;
      this.#options.logger.warn('local message is not JSON; dropped', { stream, bytes: payload.byteLength });
      return;
    }
    const items = Array.isArray(raw) ? raw : [raw];
    const state = this.#streams.get(stream)!;
    const events: StreamEvent[] = [];
    for (const item of items) {
      const parsed = parseStreamEvent(stream, item);
      if (!parsed.ok) {
        this.#rejectedEvents += 1;
        this.#options.logger.warn('event refused by the contract; dropped', { stream, reason: parsed.error.message });
        continue;
      }
      if (state.batcher.size + state.queuedEvents + events.length >= this.#configuration.intake.maxBufferedEvents) {
        state.droppedEvents += 1;
        continue;
      }
      events.push(parsed.value);
    }
    if (events.length === 0) return;
    // Journalled here, synchronously in the message handler: the CRT client has already acknowledged
    // the message, so this write is what makes it survive a crash.
    const entries = state.journal.record(events);
    state.acceptedEvents += events.length;
    if (this.#acknowledged.has(stream) && entries[0]?.seq !== undefined) {
      // Only once durable; nothing is acknowledged when the journal could not write, so it is resent.
      state.journal.durable().then(
        () => {
          for (const event of events) this.#intakeAcks.add(stream, event.eventId);
        },
        () => {},
      );
    }
    events.forEach((event, i) => {
      const rawBytes = items.length === 1 ? payload.byteLength : JSON.stringify(event).length;
      this.#accept(state, { event, entry: entries[i]! }, rawBytes);
    });
  }

  #accept(state: StreamState, accepted: Accepted, rawBytes: number): void {
    state.commitPoint.add(accepted);
    const out = state.batcher.add(accepted, rawBytes);
    this.#takeBatches(state, out.batches, out.oversize);
    if (state.batcher.size > 0 && !state.timer) {
      state.timer = setTimeout(() => this.#flushStream(state), this.#configuration.envelope.maxDelayMs);
    }
  }

  /** Batches again, in their original order, the journalled events a stop or crash left outside any envelope. */
  async #replayJournal(): Promise<void> {
    for (const state of this.#streams.values()) {
      const { entries, unreadable } = await state.journal.recover();
      if (unreadable > 0) {
        this.#rejectedEvents += unreadable;
        this.#options.logger.error('intake journal records refused by the contract; dropped', {
          stream: state.stream,
          unreadable,
        });
      }
      if (entries.length === 0) continue;
      this.#options.logger.warn('events accepted before the last stop were not in an envelope; batching them again', {
        stream: state.stream,
        events: entries.length,
      });
      for (const accepted of entries) this.#accept(state, accepted, JSON.stringify(accepted.event).length);
      this.#flushStream(state);
      // Acknowledged again: the crash may have taken the first acknowledgement with it, and the producer
      // would otherwise resend events that are already safe here.
      if (this.#acknowledged.has(state.stream)) {
        for (const { event } of entries) this.#intakeAcks.add(state.stream, event.eventId);
      }
    }
  }

  #flushStream(state: StreamState): void {
    clearTimeout(state.timer);
    state.timer = undefined;
    const out = state.batcher.flush();
    this.#takeBatches(state, out.batches, out.oversize);
  }

  #takeBatches(state: StreamState, batches: Accepted[][], oversize: Accepted[]): void {
    if (oversize.length > 0) {
      state.droppedEvents += oversize.length;
      this.#options.logger.error('event larger than an IoT Core message; dropped', {
        stream: state.stream,
        eventIds: oversize.map((a) => a.event.eventId),
      });
      state.writing = state.writing.then(() => this.#commit(state, oversize));
    }
    for (const batch of batches) {
      state.queuedEvents += batch.length;
      state.writing = state.writing.then(() => this.#spoolBatch(state, batch));
    }
  }

  /**
   * Spools one envelope, then commits the intake journal past its events. Never gives the events up:
   * a spool full of undeliverable critical data and a filesystem error (ENOSPC, EIO) alike keep
   * them here, retried, while intake holds at most `intake.maxBufferedEvents` (health: degraded).
   */
  async #spoolBatch(state: StreamState, batch: Accepted[]): Promise<void> {
    const { property, compression } = this.#configuration;
    const log = this.#spool.log(state.stream);
    const events = batch.map((a) => a.event);
    const encode = (seq: number) =>
      encodeEnvelope(
        { stream: state.stream, property, core: this.#options.thingName, seq, createdAt: this.#now(), events },
        compression as Compression,
      );
    let retryMs = SPOOL_RETRY_MIN_MS;
    try {
      for (;;) {
        try {
          const seq = log.nextSeq;
          const bytes = encode(seq);
          const result = await this.#spool.append(state.stream, bytes.byteLength, (s) =>
            s === seq ? bytes : encode(s),
          );
          if (result.ok) break;
          if (!state.blocked)
            this.#options.logger.warn('spool full of undeliverable critical data; holding events in memory', {
              stream: state.stream,
              maxBufferedEvents: this.#configuration.intake.maxBufferedEvents,
            });
        } catch (e) {
          // Logged once per outage; the count keeps rising on every failed attempt.
          if (state.spoolWriteFailures === state.reportedWriteFailures)
            this.#options.logger.error('could not write the spool; holding events in memory and retrying', {
              stream: state.stream,
              error: e,
              maxBufferedEvents: this.#configuration.intake.maxBufferedEvents,
            });
          state.spoolWriteFailures += 1;
        }
        state.blocked = true;
        await new Promise((r) => setTimeout(r, retryMs));
        retryMs = Math.min(retryMs * 2, SPOOL_RETRY_MAX_MS);
      }
      if (state.blocked)
        this.#options.logger.info('spool accepts again; intake resumed', {
          stream: state.stream,
          failedWrites: state.spoolWriteFailures - state.reportedWriteFailures,
        });
      state.reportedWriteFailures = state.spoolWriteFailures;
      state.blocked = false;
      state.drain.notify();
    } finally {
      state.queuedEvents -= events.length;
    }
    await this.#commit(state, batch);
  }

  /** Commits the intake journal as far as `settled` (spooled or dropped for good) allows. */
  async #commit(state: StreamState, settled: readonly Accepted[]): Promise<void> {
    const through = state.commitPoint.settle(settled);
    if (through !== undefined) await state.journal.commitThrough(through.entry);
  }

  #onSent(stream: UplinkStream, payload: Buffer): void {
    const state = this.#streams.get(stream)!;
    state.sentEnvelopes += 1;
    const head = decodeEnvelopeHeader(payload);
    if (head.ok) state.sentEvents += head.value.header.count;
  }

  async #relayOffer(payload: Buffer): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      raw = undefined;
    }
    const offer = OfferDownlink.safeParse(raw);
    if (!offer.success) {
      this.#rejectedOffers += 1;
      this.#options.logger.warn('offer refused by the contract; dropped', {
        issues: offer.error.issues.map((i) => i.message),
      });
      return;
    }
    await this.#options.transport.publishLocal(LOCAL_TOPICS.offers, Buffer.from(JSON.stringify(offer.data)));
    this.#relayedOffers += 1;
  }
}
