import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../aws/clients.js';
import { createStreams, type KinesisEmulator, startKinesisEmulator } from '../kinesis-emulator.js';

/** Test credentials and region for the emulators, which accept any signature. */
export const TEST_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** An in-memory kinesalite on an ephemeral loopback port, with a client pointed at it. */
export async function startTestKinesis(): Promise<{ emulator: KinesisEmulator; client: KinesisClient }> {
  const emulator = await startKinesisEmulator({ host: '127.0.0.1', port: 0 });
  const client = createKinesisClient({ endpoint: emulator.endpoint, ...TEST_AWS });
  return { emulator, client };
}

/** Creates a stream and waits for it to be ACTIVE; returns its ARN. */
export async function createTestStream(client: KinesisClient, name: string, shardCount = 1): Promise<string> {
  const arns = await createStreams(client, [{ name, shardCount, retentionHours: 24 }]);
  return arns.get(name)!;
}

/** Polls `predicate` until true or the timeout passes. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The structure of a JSON value: object keys in order with the structure of each value, array
 * element structures, and the type of each leaf. Two values with the same structure differ only in
 * leaf values.
 */
export function structureOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structureOf);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).map(([key, v]) => [key, structureOf(v)]);
  }
  return value === null ? 'null' : typeof value;
}
