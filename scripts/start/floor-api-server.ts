import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApiEnv } from '@croupier/cloud/src/api/api-env';
import { createFloorApi } from '@croupier/cloud/src/api/floor-api';
import { type LocalApiServer, serveFloorApi } from '@croupier/cloud/src/api/serve-local';
import { defaultTableNames } from '@croupier/cloud/src/common/table-names';
import { parseEnv } from '@croupier/cloud/src/config/env';

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
 * floor, in the API's `token` authentication mode with the operator token from `tokenPath`.
 */
export async function startFloorApi(options: {
  readonly dynamo: DynamoDBDocumentClient;
  readonly host: string;
  readonly port: number;
  readonly tokenPath: string;
  readonly onError: (error: unknown) => void;
}): Promise<LocalApiServer> {
  const token = await ensureOperatorToken(options.tokenPath);
  const sha256 = createHash('sha256').update(token, 'utf8').digest('hex');
  const env = parseEnv(ApiEnv, {
    API_AUTH_MODE: 'token',
    API_TOKENS: JSON.stringify([{ id: 'local-operator', sha256, roles: ['read', 'write'] }]),
  });
  const app = createFloorApi({
    dynamo: options.dynamo,
    tables: defaultTableNames(),
    auth: env.auth,
    abandonedAfterMs: env.abandonedAfterMs,
    onError: options.onError,
  });
  return serveFloorApi(app, { host: options.host, port: options.port });
}
