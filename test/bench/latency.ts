/**
 * End-to-end latency of the local floor, measured on a running floor (prints figures, asserts nothing):
 *
 * 1. **rating**: an SMIB's game event published → the player's rating in DynamoDB includes it (the
 *    event id appears in the player item's commit log);
 * 2. **offer**: the SMIB event that earned an offer (the game whose theo crossed the milestone) →
 *    the offer on that machine's display topic `smib/{machineId}/display`.
 *
 * Both ends are observed from outside the pipeline: a witness subscribed to the core's pub/sub sees
 * the SMIB events (as the MQTT bridge relays them from the device broker) and the displays
 * (as SlotGateway sends them towards the machine), and DynamoDB is polled every `pollMs`, which bounds
 * the resolution of the rating figure.
 *
 *   npx tsx test/bench/latency.ts [--seconds 120] [--json]
 *
 * Imported, {@link measureEndToEndLatency} returns the figures (for BENCHMARKS.md).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDocumentClient } from '@croupier/cloud/aws/clients';
import { LOCAL_CREDENTIALS } from '@croupier/cloud/local/local-cloud';
import { commitsFromItem } from '@croupier/cloud/src/rating/commit-log';
import { openFloorPki } from '../../scripts/start/floor-pki.js';
import { repositoryRoot, startFloorProcess } from '../e2e/support/floor-process.js';
import { tapBroker } from '../e2e/support/local-pubsub-tap.js';

/** Percentiles of one latency, milliseconds. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

export interface LatencyReport {
  /** SMIB game event published → rating in DynamoDB. */
  readonly rating: LatencySummary;
  /** Offer-earning SMIB event → offer on the machine's display topic. */
  readonly offer: LatencySummary;
  /** Game events the SMIBs published in the window (uncarded ones are never rated). */
  readonly gamesPublished: number;
  readonly offersShown: number;
  /** DynamoDB polling period. */
  readonly pollMs: number;
  /**
   * Median time from the start of one players-table scan to the end of the next: a rating is seen by
   * the first scan that ends after it, so each rating figure is an upper bound by up to this much.
   */
  readonly ratingResolutionMs?: number | null;
  readonly measuredSeconds: number;
  /** Machines that played during the window. */
  readonly machinesPlaying: number;
  readonly slotTimeScale: number;
}

export interface LatencyOptions {
  /** How long to measure once the floor runs. */
  readonly seconds?: number;
  readonly pollMs?: number;
  /** Slot scenario; its floor and time scale set the load. */
  readonly slotScenario?: string;
  /** Progress lines (stderr by default on the command line, silent when imported). */
  readonly log?: (line: string) => void;
}

const DEFAULT_SLOT_SCENARIO = join(repositoryRoot, 'simulators', 'scenarios', 'slot-bench-latency.json');
/** Games published in the last seconds of the window are not counted: their rating may land after it. */
const SETTLE_MS = 15_000;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarise(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? null,
  };
}

/**
 * Starts a local floor in a temporary state folder (one shuffler, the bench slot floor), measures for
 * `seconds`, stops it and returns the figures.
 */
export async function measureEndToEndLatency(options: LatencyOptions = {}): Promise<LatencyReport> {
  const seconds = options.seconds ?? 120;
  const pollMs = options.pollMs ?? 100;
  const log = options.log ?? (() => {});
  const slotScenario = options.slotScenario ?? DEFAULT_SLOT_SCENARIO;
  const { live } = JSON.parse(await readFile(slotScenario, 'utf8')) as { live: { timeScale: number } };
  const stateDir = await mkdtemp(join(tmpdir(), 'croupier-latency-'));
  log(`starting the floor in ${stateDir}`);
  const floor = await startFloorProcess(
    stateDir,
    ['--shufflers', '1', '--slot-scenario', slotScenario, '--core', 'bench-core-1'],
    { timeoutMs: 300_000 },
  ).catch(async (error: unknown) => {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  });
  const dynamo = createDynamoDbDocumentClient({
    endpoint: floor.floor.cloud.dynamodb,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const pubsub = new URL(floor.floor.localPubSub.replace(/^mqtts:/, 'http:'));
    const pki = await openFloorPki(join(stateDir, 'certs'), pubsub.hostname);
    const tap = await tapBroker({
      host: pubsub.hostname,
      port: Number(pubsub.port),
      identity: await pki.client('bench-core-1-witness'),
      topics: ['smib/+/events', 'smib/+/display'],
    });
    log(`floor running; measuring for ${seconds} s (+${SETTLE_MS / 1000} s for the last ratings)`);

    /** When each event id was first seen in a player's commit log. */
    const ratedAt = new Map<string, number>();
    const started = Date.now();
    const countedUntil = started + seconds * 1000;
    const resolutions: number[] = [];
    let previousPollAt: number | undefined;
    while (Date.now() < countedUntil + SETTLE_MS) {
      const polledAt = Date.now();
      const { Items = [] } = await dynamo.send(
        new ScanCommand({ TableName: 'croupier-players', ProjectionExpression: 'commits' }),
      );
      const seenAt = Date.now();
      if (previousPollAt !== undefined) resolutions.push(seenAt - previousPollAt);
      previousPollAt = polledAt;
      for (const item of Items) {
        for (const commit of commitsFromItem(item.commits)) {
          for (const id of commit.eventIds) if (!ratedAt.has(id)) ratedAt.set(id, seenAt);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, pollMs - (Date.now() - polledAt))));
    }
    const offers = (await dynamo.send(new ScanCommand({ TableName: 'croupier-offers' }))).Items ?? [];
    await tap.close();

    const games = tap.messages.filter(
      (m) => m.topic.endsWith('/events') && m.event.type === 'game_played' && m.receivedAt < countedUntil,
    );
    const rating = games.flatMap((g) => {
      const at = ratedAt.get(g.event.eventId!);
      return at === undefined ? [] : [at - g.receivedAt];
    });
    // The offer names the time of the play it was decided on: that machine's game at that event time.
    const decidedAt = new Map(offers.filter((o) => o.machineId && o.decidedAt).map((o) => [o.offerId, o]));
    const displays = tap.messages.filter(
      (m) => m.topic.endsWith('/display') && m.receivedAt < countedUntil + SETTLE_MS,
    );
    const offer = displays.flatMap((d) => {
      const decided = decidedAt.get(String(d.event.offerId));
      const trigger = games.find(
        (g) => g.event.machineId === decided?.machineId && g.event.eventTime === decided?.decidedAt,
      );
      return trigger ? [d.receivedAt - trigger.receivedAt] : [];
    });
    return {
      rating: summarise(rating),
      offer: summarise(offer),
      gamesPublished: games.length,
      offersShown: displays.length,
      pollMs,
      ratingResolutionMs: summarise(resolutions).p50Ms,
      measuredSeconds: seconds,
      machinesPlaying: new Set(games.map((g) => g.event.machineId)).size,
      slotTimeScale: live.timeScale,
    };
  } finally {
    dynamo.destroy();
    log('stopping the floor');
    const code = await floor.stop();
    if (code !== 0) floor.kill();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const ms = (value: number | null) => (value === null ? '—' : `${Math.round(value)} ms`);

/** The figures as the command line prints them. */
export function formatLatencyReport(report: LatencyReport): string {
  const line = (name: string, s: LatencySummary) =>
    `${name.padEnd(44)} p50 ${ms(s.p50Ms).padStart(8)}  p99 ${ms(s.p99Ms).padStart(8)}  max ${ms(s.maxMs).padStart(8)}  (n=${s.samples})`;
  return [
    `end-to-end latency, local floor: ${report.machinesPlaying} machines playing at ×${report.slotTimeScale}, ${report.measuredSeconds} s`,
    line('SMIB game event → rating in DynamoDB', report.rating),
    line('offer-earning SMIB event → machine display', report.offer),
    `(${report.gamesPublished} games published, ${report.offersShown} offers shown; DynamoDB polled every ${report.pollMs} ms,`,
    ` so a rating figure overstates by up to ${ms(report.ratingResolutionMs ?? null)})`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { seconds: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
    process.stderr.write('--seconds must be a positive number\n');
    process.exit(2);
  }
  measureEndToEndLatency({
    ...(seconds !== undefined ? { seconds } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (report) => {
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatLatencyReport(report)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`latency bench failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
