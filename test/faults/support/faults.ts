import { execFile } from 'node:child_process';
import { readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { defaultTableNames } from '@croupier/cloud/src/common/table-names';
import { decodeEnvelope, encodeEnvelope } from '@croupier/contracts';
import type { ComponentName, FaultRig } from './fault-rig.js';
import type { FaultRow } from './fault-row.js';
import { FloorPublisher } from './floor-publisher.js';
import { alertsStored, slotStored } from './stored.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOUR_MS = 3_600_000;
/** Simulated span of one round of sessions: card-in, 8 games 20 s apart, card-out. */
const ROUND_MS = 200_000;

/** How big a run is: CI runs it reduced, `npm run faults` at full scale. */
export interface FaultScale {
  /** Rounds of normal traffic before and after each fault (one session per machine per round). */
  readonly rounds: number;
  /** Alerts raised per round. */
  readonly alertsPerRound: number;
  /** Offline/online cycles of the flapping shuffler, and how long each half lasts. */
  readonly flaps: number;
  readonly flapHalfMs: number;
  /** How long a fault keeps the broker or component down. */
  readonly downMs: number;
  /** With nothing new stored for this long, the count is final. */
  readonly quietMs: number;
  /** Longest wait for the cloud to catch up after a fault. */
  readonly settleMs: number;
}

export interface FaultContext {
  readonly rig: FaultRig;
  readonly scale: FaultScale;
  readonly log: (line: string) => void;
}

/** One fault of the suite. */
export interface Fault {
  readonly name: string;
  /** Whether the design promises to survive it: zero lost, zero duplicated. */
  readonly promised: boolean;
  run(context: FaultContext): Promise<FaultRow>;
}

const tables = defaultTableNames();
let prefixes = 0;
/** On-failure records present when each fault's publisher was made. */
const discardedBefore = new WeakMap<FloorPublisher, number>();

/** Invocation records the event-source mappings wrote to their on-failure destinations so far. */
async function discardedBatches(rig: FaultRig): Promise<number> {
  const dir = join(rig.cloud.endpoints.stateDir, 'cloud', 'on-failure');
  const files = await readdir(dir, { recursive: true }).catch(() => []);
  return files.filter((f) => String(f).endsWith('.json')).length;
}

async function publisherFor(rig: FaultRig): Promise<FloorPublisher> {
  prefixes += 1;
  const before = await discardedBatches(rig);
  const publisher = await FloorPublisher.connect({
    broker: { host: rig.pubsub.host, port: rig.pubsub.port },
    identity: await rig.pki.client(`${rig.options.core}-MqttBridge`),
    machines: rig.machines,
    playerTokenKey: rig.playerTokenKey,
    cardPrefix: `FLT${String.fromCharCode(64 + prefixes)}${Date.now().toString(36)}`,
  });
  discardedBefore.set(publisher, before);
  return publisher;
}

/** Normal floor traffic: `rounds` sessions per machine and the round's alerts, stamped from `clockMs`. */
async function traffic(publisher: FloorPublisher, context: FaultContext, clockMs: number, rounds = 1): Promise<void> {
  for (let r = 0; r < rounds; r += 1) {
    await publisher.playSessions(clockMs + r * ROUND_MS);
    await publisher.raiseAlerts(context.scale.alertsPerRound, clockMs + r * ROUND_MS);
  }
}

/**
 * Waits until the cloud holds everything `publisher` emitted, or until nothing new arrives for the
 * scale's quiet period; returns the row. Time to recover runs from `healedAt`.
 */
async function settle(
  fault: Fault,
  context: FaultContext,
  publisher: FloorPublisher,
  healedAt: number,
  description: string,
  extra: Partial<Pick<FaultRow, 'alertsEmitted' | 'alertsStored'>> = {},
): Promise<FaultRow> {
  const { rig, scale } = context;
  let note = description;
  const games = publisher.games;
  let last = '';
  let lastChange = Date.now();
  let recoverMs: number | undefined;
  let stored = await slotStored(rig.cloud.endpoints.lakeDir, rig.dynamo, publisher.emitted);
  let alerts = await alertsStored(rig.dynamo, publisher.alerts);
  const deadline = Date.now() + scale.settleMs;
  for (;;) {
    const complete =
      stored.lakeDistinct === publisher.emitted.length &&
      stored.dbMarked === games &&
      stored.dbGames >= games &&
      alerts === publisher.alerts.length;
    if (complete) {
      recoverMs = Date.now() - healedAt;
      break;
    }
    const now = JSON.stringify([stored, alerts]);
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > scale.quietMs || Date.now() > deadline) break;
    await sleep(1_000);
    stored = await slotStored(rig.cloud.endpoints.lakeDir, rig.dynamo, publisher.emitted);
    alerts = await alertsStored(rig.dynamo, publisher.alerts);
  }
  // A late duplicate would show after completion: look once more after the lake's buffer interval.
  await sleep(1_500);
  stored = await slotStored(rig.cloud.endpoints.lakeDir, rig.dynamo, publisher.emitted);
  await publisher.close();
  const missing = Object.entries(stored.missingByPhase).filter(([, n]) => n > 0);
  if (missing.length > 0)
    note =
      `${note}; missing from the lake: ${missing.map(([p, n]) => `${n} emitted ${p} the fault`).join(', ')}`.replace(
        /^; /,
        '',
      );
  const row: FaultRow = {
    fault: fault.name,
    promised: fault.promised,
    emitted: publisher.emitted.length,
    lakeStored: stored.lakeDistinct,
    lakeRepeats: stored.lakeRepeats,
    games,
    dbGames: stored.dbGames,
    alertsEmitted: publisher.alerts.length,
    alertsStored: alerts,
    discardedBatches: (await discardedBatches(rig)) - (discardedBefore.get(publisher) ?? 0),
    recoverMs,
    note,
    ...extra,
  };
  context.log(`${fault.name}: ${JSON.stringify(row)}`);
  return row;
}

/** A fault in the shape most of the suite shares; see {@link around}. */
interface FaultSteps {
  /** Normal traffic before the fault (phase 'before'); false lets the fault meet a quiet floor. Defaults to true. */
  readonly trafficBefore?: boolean;
  /** Brings the fault on and plays the traffic that meets it; the publisher is already in phase 'during'. */
  readonly during: (publisher: FloorPublisher) => Promise<void>;
  /** Ends the fault, where `during` does not end it itself; time to recover counts from then. */
  readonly heal?: () => Promise<void>;
  /** Normal traffic after the heal (phase 'after'). Defaults to true. */
  readonly trafficAfter?: boolean;
  /** The row's note. */
  readonly note: string;
}

/** Traffic before, the fault with the traffic that meets it, the heal, traffic after; then the settled row. */
async function around(fault: Fault, context: FaultContext, steps: FaultSteps): Promise<FaultRow> {
  const { rig, scale } = context;
  const publisher = await publisherFor(rig);
  if (steps.trafficBefore ?? true) await traffic(publisher, context, Date.now(), scale.rounds);
  publisher.phase = 'during';
  await steps.during(publisher);
  await steps.heal?.();
  const healedAt = Date.now();
  if (steps.trafficAfter ?? true) {
    publisher.phase = 'after';
    await traffic(publisher, context, Date.now(), scale.rounds);
  }
  return settle(fault, context, publisher, healedAt, steps.note);
}

const iotCoreRestart: Fault = {
  name: 'IoT Core stand-in restart',
  promised: true,
  run(context) {
    const { rig, scale } = context;
    return around(this, context, {
      async during(publisher) {
        await rig.stopIotCore();
        await traffic(publisher, context, Date.now());
        await sleep(scale.downMs);
      },
      heal: () => rig.startIotCore(),
      note: 'fresh broker: no session kept; Uplink reconnects and resends from its spool',
    });
  },
};

const localBrokerRestart: Fault = {
  name: 'local pub/sub broker restart',
  promised: true,
  async run(context) {
    const { rig, scale } = context;
    const row = await around(this, context, {
      async during(publisher) {
        const restart = rig.restartLocalBroker(scale.downMs);
        await traffic(publisher, context, Date.now());
        await restart;
      },
      note: '',
    });
    // Hand the next fault a working floor, whatever this one left behind.
    await rig.restartComponents();
    return {
      ...row,
      note: `down ${scale.downMs / 1000} s, restarted on its session folder: sessions and queued messages kept, components resumed without a restart${
        row.note ? `; ${row.note}` : ''
      }`,
    };
  },
};

const linkDownHour: Fault = {
  name: 'cloud link down for an hour of traffic',
  promised: true,
  run(context) {
    const { rig } = context;
    return around(this, context, {
      trafficBefore: false,
      async during(publisher) {
        await rig.stopIotCore();
        // An hour of floor time, published as fast as the core takes it: the spool holds it all.
        await traffic(publisher, context, Date.now() - HOUR_MS, Math.ceil(HOUR_MS / ROUND_MS));
      },
      heal: () => rig.startIotCore(),
      trafficAfter: false,
      note: `${rig.machines.length} machines × 1 h of play spooled, then drained`,
    });
  },
};

const killComponent = (name: ComponentName): Fault => ({
  name: `kill -9 ${name}`,
  promised: true,
  run(context) {
    const { rig, scale } = context;
    return around(this, context, {
      async during(publisher) {
        // Killed while traffic is in flight, so whatever it holds in memory is at stake.
        const during = traffic(publisher, context, Date.now(), scale.rounds);
        await sleep(150);
        await rig.kill9(name);
        await during;
        await sleep(scale.downMs);
      },
      heal: () => rig.startComponent(name),
      note:
        name === 'ShufflerMonitor' || name === 'FailurePredictor'
          ? `restarted after ${scale.downMs / 1000} s; slot and alert traffic does not pass through it and is unaffected; its own telemetry is sampled, so polls not made while it is down are a gap, not lost events`
          : `restarted on the same work folder after ${scale.downMs / 1000} s`,
    });
  },
});

const killCloud: Fault = {
  name: 'kill -9 local cloud',
  promised: true,
  run(context) {
    const { rig, scale } = context;
    return around(this, context, {
      async during(publisher) {
        const during = traffic(publisher, context, Date.now(), scale.rounds);
        await sleep(300);
        await rig.cloud.kill9();
        await during;
        await traffic(publisher, context, Date.now());
      },
      heal: () => rig.cloud.restart(),
      note: 'SIGKILL of kinesalite, dynalite, processors, lake delivery and IoT Core; restarted on the same state folder',
    });
  },
};

/** Mounts a 2 MiB tmpfs at `dir` (directly as root, else with passwordless sudo); false when neither works. */
export async function mountSmallFilesystem(dir: string): Promise<boolean> {
  for (const command of [['mount'], ['sudo', '-n', 'mount']]) {
    try {
      await run(command[0]!, [...command.slice(1), '-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
      return true;
    } catch {}
  }
  return false;
}

export async function unmountSmallFilesystem(dir: string): Promise<void> {
  for (const command of [['umount'], ['sudo', '-n', 'umount']]) {
    try {
      await run(command[0]!, [...command.slice(1), dir]);
      return;
    } catch {}
  }
}

const diskFull = (mountDir: string): Fault => ({
  name: 'disk full under the spool',
  promised: false,
  run(context) {
    const { rig, scale } = context;
    const ballast = join(mountDir, 'ballast');
    return around(this, context, {
      async during(publisher) {
        // The link is down too, so the spool must grow into a filesystem that has no room left.
        await rig.stopIotCore();
        const { bavail, bsize } = await statfs(mountDir);
        await writeFile(ballast, Buffer.alloc(Number(bavail) * Number(bsize))).catch(() => {});
        await traffic(publisher, context, Date.now(), scale.rounds);
        await sleep(scale.downMs);
      },
      async heal() {
        await rm(ballast, { force: true });
        await rig.startIotCore();
      },
      note: 'a 2 MiB tmpfs filled to the last block while the link is down; Uplink holds what it cannot spool, up to its intake bound',
    });
  },
});

const modbusFlapping: Fault = {
  name: 'Modbus device flapping',
  promised: true,
  async run(context) {
    const { rig, scale } = context;
    const floor = rig.shufflerFloor!;
    const unit = floor.units[0]!;
    const device = floor.floor.units.get(unit.unitId)!;
    const publisher = await publisherFor(rig);
    const since = Date.now();
    for (let i = 0; i < scale.flaps; i += 1) {
      device.setFaults({ offline: true, delayMs: 0, exceptionCode: null, corruptFrames: false });
      await sleep(scale.flapHalfMs);
      device.setFaults({ offline: false, delayMs: 0, exceptionCode: null, corruptFrames: false });
      await sleep(scale.flapHalfMs);
    }
    const healedAt = Date.now();
    await traffic(publisher, context, Date.now(), scale.rounds);
    const offlineAlerts = async () => {
      const { Items = [] } = await rig.dynamo.send(
        new QueryCommand({
          TableName: tables.alerts,
          KeyConditionExpression: 'deviceId = :d',
          ExpressionAttributeValues: { ':d': unit.deviceId },
        }),
      );
      return Items.filter((a) => a.cause === 'offline' && Number(a.raisedAtMs) >= since - 60_000).length;
    };
    const deadline = Date.now() + scale.settleMs;
    while ((await offlineAlerts()) < scale.flaps && Date.now() < deadline) await sleep(1_000);
    return settle(
      this,
      context,
      publisher,
      healedAt,
      `${unit.deviceId} offline ${scale.flaps}× for ${scale.flapHalfMs / 1000} s: one offline alert per outage expected`,
      { alertsEmitted: scale.flaps, alertsStored: await offlineAlerts() },
    );
  },
};

/** Every record now in a stream, from its start. */
async function streamRecords(rig: FaultRig, streamName: string): Promise<{ data: Uint8Array; partitionKey: string }[]> {
  const out: { data: Uint8Array; partitionKey: string }[] = [];
  const { Shards = [] } = await rig.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let iterator = (
      await rig.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    for (;;) {
      const page = await rig.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator!, Limit: 1000 }));
      for (const r of page.Records ?? []) out.push({ data: r.Data!, partitionKey: r.PartitionKey! });
      iterator = page.NextShardIterator;
      if ((page.Records ?? []).length === 0 || !iterator) break;
    }
  }
  return out;
}

async function putRecords(rig: FaultRig, streamName: string, records: { data: Uint8Array; partitionKey: string }[]) {
  for (let i = 0; i < records.length; i += 100) {
    const batch = records.slice(i, i + 100);
    const out = await rig.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: batch.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
      }),
    );
    if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records refused by Kinesis`);
  }
}

const duplicatesOutOfOrder: Fault = {
  name: 'duplicate and out-of-order deliveries',
  promised: true,
  async run(context) {
    const { rig, scale } = context;
    const publisher = await publisherFor(rig);
    await traffic(publisher, context, Date.now(), scale.rounds);
    const first = await settle(this, context, publisher, Date.now(), '');
    if (first.recoverMs === undefined) return { ...first, note: 'the first delivery never completed' };
    const ours = new Set(publisher.emitted.map((e) => e.eventId));
    const records = (await streamRecords(rig, 'slot-events')).filter((r) => {
      const decoded = decodeEnvelope(r.data);
      return decoded.ok && decoded.value.events.some((e) => ours.has(e.eventId));
    });
    // Every envelope again, newest first; and the same events re-batched into envelopes the core never made.
    const replay = [...records].reverse();
    const rebatched = records.flatMap((r) => {
      const decoded = decodeEnvelope(r.data);
      if (!decoded.ok) return [];
      const { header, events } = decoded.value;
      return [
        {
          data: encodeEnvelope({ ...header, seq: header.seq, events: [...events].reverse() }, 'deflate'),
          partitionKey: r.partitionKey,
        },
      ];
    });
    const healedAt = Date.now();
    await putRecords(rig, 'slot-events', [...replay, ...rebatched]);
    // The lake's delivery stream and the slot processor read the same records: once the lake shows
    // both extra copies of every event, the processor has had them too, give or take its batching window.
    const deadline = Date.now() + scale.settleMs;
    const expectedRepeats = 2 * publisher.emitted.length;
    while (Date.now() < deadline) {
      const { lakeRepeats } = await slotStored(rig.cloud.endpoints.lakeDir, rig.dynamo, publisher.emitted);
      if (lakeRepeats >= expectedRepeats) break;
      await sleep(1_000);
    }
    await sleep(5_000);
    return settle(
      this,
      context,
      publisher,
      healedAt,
      `${records.length} slot envelopes put to Kinesis again in reverse order, and again re-batched with events reversed`,
    );
  },
};

/** Records no producer of the slot stream would write: not an envelope, bare JSON, the wrong stream, garbage. */
function poisonFor(rig: FaultRig): { data: Uint8Array; partitionKey: string }[] {
  const core = rig.options.core;
  return [
    { data: Buffer.from('not an envelope at all'), partitionKey: core },
    { data: Buffer.from(JSON.stringify({ stream: 'slot', events: [{ eventId: 'x' }] })), partitionKey: core },
    {
      data: encodeEnvelope(
        { stream: 'shuffler', property: rig.property, core, seq: 1, createdAt: Date.now(), events: [] },
        'deflate',
      ),
      partitionKey: core,
    },
    { data: Buffer.alloc(1024, 0xff), partitionKey: core },
  ];
}

const poisonRecords: Fault = {
  name: 'poison records in Kinesis',
  promised: true,
  async run(context) {
    const { rig, scale } = context;
    const deadLetters = async () => {
      const { Items = [] } = await rig.dynamo.send(
        new QueryCommand({
          TableName: tables.ingest,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'deadletter#slot-processor' },
        }),
      );
      return Items.length;
    };
    const deadBefore = await deadLetters();
    let poisoned = 0;
    const row = await around(this, context, {
      trafficBefore: false,
      async during(publisher) {
        const during = traffic(publisher, context, Date.now(), scale.rounds);
        const poison = poisonFor(rig);
        await putRecords(rig, 'slot-events', poison);
        poisoned = poison.length;
        await during;
      },
      note: '',
    });
    return {
      ...row,
      note: `${poisoned} poison records beside the good ones: ${(await deadLetters()) - deadBefore} dead-lettered in the ingest table (the handler reports no failure for bad input, so bisection is not needed)`,
    };
  },
};

const clockSkew: Fault = {
  name: 'SMIB clock skew (−5 h and +3 h)',
  promised: true,
  async run(context) {
    const { rig, scale } = context;
    const publisher = await publisherFor(rig);
    const healedAt = Date.now();
    await traffic(publisher, context, Date.now() - 5 * HOUR_MS, scale.rounds);
    await traffic(publisher, context, Date.now() + 3 * HOUR_MS, scale.rounds);
    return settle(
      this,
      context,
      publisher,
      healedAt,
      'events keep the SMIB time: lake partitions and gaming days follow the wrong clock (not corrected)',
    );
  },
};

/** The suite, in run order. Faults that need a part the rig does not run are left out by the caller. */
export function faultSuite(options: { readonly diskMount?: string; readonly rig: FaultRig }): Fault[] {
  const { rig } = options;
  return [
    iotCoreRestart,
    localBrokerRestart,
    linkDownHour,
    ...(['Uplink', 'SlotGateway', 'ShufflerMonitor', 'FailurePredictor'] as const)
      .filter((name) => rig.has(name))
      .map(killComponent),
    killCloud,
    ...(options.diskMount ? [diskFull(options.diskMount)] : []),
    ...(rig.shufflerFloor && rig.has('ShufflerMonitor') ? [modbusFlapping] : []),
    poisonRecords,
    duplicatesOutOfOrder,
    clockSkew,
  ];
}
