import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalCloud } from '@croupier/cloud/local/local-cloud';
import { ApiEnv } from '@croupier/cloud/src/api/api-env';
import { DashboardFeed, DEFAULT_FEED_CONFIG } from '@croupier/cloud/src/api/dashboard/dashboard-feed';
import { DashboardSessions, SignInCodes } from '@croupier/cloud/src/api/dashboard/dashboard-session';
import { DynamoFloorSource } from '@croupier/cloud/src/api/dashboard/dynamo-floor-source';
import { LocalPipelineSource } from '@croupier/cloud/src/api/dashboard/local-pipeline-source';
import type { PipelineCounters, PipelineSource } from '@croupier/cloud/src/api/dashboard/pipeline-source';
import { createFloorApi } from '@croupier/cloud/src/api/floor-api';
import { type LocalApiServer, serveFloorApi } from '@croupier/cloud/src/api/serve-local';
import { defaultTableNames } from '@croupier/cloud/src/common/table-names';
import { parseEnv } from '@croupier/cloud/src/config/env';
import type { MachineIdentity } from '@croupier/contracts';
import type { AttachedProcessor } from './stream-processors.js';

/** A dashboard browser session lasts a shift. */
const DASHBOARD_SESSION_MS = 12 * 3_600_000;
/** A printed sign-in link works once, within a day of the start. */
const SIGN_IN_CODE_MS = 24 * 3_600_000;

/** The local floor API with its dashboard. */
export interface LocalFloorApi extends LocalApiServer {
  /** A one-time sign-in link to the dashboard; the operator token itself is never printed. */
  dashboardLink(): string;
  /** Puts a floor on the dashboard: its machines (the heatmap's plan) and its pipeline's health. */
  showFloor(floor: { readonly machines: readonly MachineIdentity[]; readonly pipeline: PipelineSource }): void;
}

/**
 * The local operator's bearer token for the floor API: made once (256 random bits) into a 0600
 * file and reused, so scripts keep working across restarts. Only its SHA-256 digest reaches the
 * API's configuration, as in the API's token mode; the token itself is never printed.
 */
async function ensureOperatorToken(path: string): Promise<string> {
  const existing = await readFile(path, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Serves the floor API (the Hono app API Gateway + Lambda serve in AWS) over HTTP on the local
 * floor, in the API's `token` authentication mode with the operator token from `tokenPath`, with
 * the dashboard at `/dashboard`. The dashboard's session key is made per process: a restart signs
 * browsers out, and nothing secret is kept on disk for it.
 */
export async function startFloorApi(options: {
  readonly dynamo: DynamoDBDocumentClient;
  readonly host: string;
  readonly port: number;
  readonly tokenPath: string;
  readonly onError: (error: unknown) => void;
}): Promise<LocalFloorApi> {
  const token = await ensureOperatorToken(options.tokenPath);
  const sha256 = createHash('sha256').update(token, 'utf8').digest('hex');
  const env = parseEnv(ApiEnv, {
    API_AUTH_MODE: 'token',
    API_TOKENS: JSON.stringify([{ id: 'local-operator', sha256, roles: ['read', 'write'] }]),
  });
  const tables = defaultTableNames();
  let shown: { machines: readonly MachineIdentity[]; pipeline: PipelineSource } | undefined;
  const feed = new DashboardFeed(
    new DynamoFloorSource(options.dynamo, tables, () => shown?.machines ?? []),
    () => shown?.pipeline,
    { ...DEFAULT_FEED_CONFIG, abandonedAfterMs: env.abandonedAfterMs },
    Date.now,
    options.onError,
  );
  const signInCodes = new SignInCodes(SIGN_IN_CODE_MS);
  const app = createFloorApi({
    dynamo: options.dynamo,
    tables,
    auth: env.auth,
    abandonedAfterMs: env.abandonedAfterMs,
    onError: options.onError,
    dashboard: {
      feed,
      sessions: new DashboardSessions(randomBytes(32), DASHBOARD_SESSION_MS),
      signInCodes,
      secureCookies: false,
    },
  });
  const server = await serveFloorApi(app, { host: options.host, port: options.port });
  return {
    url: server.url,
    close: async () => {
      feed.close();
      await server.close();
    },
    dashboardLink: () =>
      `${server.url}/dashboard/sign-in?code=${signInCodes.issue({ id: 'local-operator', roles: ['read'] })}`,
    showFloor: (floor) => {
      shown = floor;
    },
  };
}

/** Counters of events the edge components send on (see the local floor's counters). */
const EDGE_COUNTERS = ['slot events', 'telemetry', 'predictions', 'edge alerts'];

/**
 * The local floor's pipeline health for the dashboard: the attached processors' event-source
 * mappings, the Kinesis stand-in, the CoreHealth records in the Timestream stand-in and the floor's
 * counters.
 */
export function floorPipelineSource(
  cloud: LocalCloud,
  processors: readonly AttachedProcessor[],
  counters: () => PipelineCounters,
): PipelineSource {
  return new LocalPipelineSource({
    kinesis: cloud.kinesis,
    processors: processors.flatMap((p) =>
      'mapping' in p ? [{ processor: p.id, stream: p.stream, shards: () => p.mapping.stats() }] : [],
    ),
    counters,
    edgeCounters: EDGE_COUNTERS,
    timeSeries: (sql) => cloud.timestream.query(sql),
  });
}
