import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  type KinesisClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import type { StreamDefinition } from '../definitions/streams.js';
import { closeServer, listen } from './listen.js';

/** A running kinesalite. */
export interface KinesisEmulator {
  /** `http://127.0.0.1:<port>`: set as `AWS_ENDPOINT_URL_KINESIS` or a client `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface KinesisEmulatorOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** LevelDB folder for durable streams; in memory when absent. */
  readonly path?: string;
  /** How long a stream stays CREATING; 0 makes tests fast, a few hundred ms mimics AWS. */
  readonly createStreamMs?: number;
}

/** Starts kinesalite on `host:port`. */
export async function startKinesisEmulator(options: KinesisEmulatorOptions): Promise<KinesisEmulator> {
  const server: Server = kinesalite({
    ...(options.path ? { path: options.path } : {}),
    createStreamMs: options.createStreamMs ?? 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    // The reference floor needs few shards, but leave room for resharding experiments.
    shardLimit: 50,
  });
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://${options.host}:${port}`, port, close: () => closeServer(server) };
}

/**
 * Creates each stream from the shared definitions (the same list the CDK app deploys) and waits
 * until it is ACTIVE. Existing streams are kept as they are, so restarting on a persistent folder
 * keeps its records. Returns the stream ARNs by name.
 */
export async function createStreams(
  client: KinesisClient,
  definitions: readonly Pick<StreamDefinition, 'name' | 'shardCount' | 'retentionHours'>[],
): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  for (const stream of definitions) {
    let created = false;
    try {
      await client.send(new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }));
      created = true;
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    const arn = await waitForActiveStream(client, stream.name);
    // Kinesis creates streams with 24 h retention; the definition may ask for more.
    if (created && stream.retentionHours > 24) {
      await client.send(
        new IncreaseStreamRetentionPeriodCommand({
          StreamName: stream.name,
          RetentionPeriodHours: stream.retentionHours,
        }),
      );
      await waitForActiveStream(client, stream.name);
    }
    arns.set(stream.name, arn);
  }
  return arns;
}

async function waitForActiveStream(client: KinesisClient, name: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { StreamDescriptionSummary: summary } = await client.send(
        new DescribeStreamSummaryCommand({ StreamName: name }),
      );
      if (summary?.StreamStatus === 'ACTIVE' && summary.StreamARN) return summary.StreamARN;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`stream ${name} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
