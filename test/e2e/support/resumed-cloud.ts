import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { streams } from '@croupier/cloud/definitions/streams';
import { loadEnvironmentConfig } from '@croupier/cloud/infra/config/load';
import { type LocalCloud, startLocalCloud } from '@croupier/cloud/local/local-cloud';
import { parseLocalCloudConfig } from '@croupier/cloud/local/local-cloud-config';
import { openFloorPki } from '../../../scripts/start/floor-pki.js';
import { attachStreamProcessors } from '../../../scripts/start/stream-processors.js';

/** The local cloud of a stopped floor, started again on its state folder with every stream processor. */
export interface ResumedCloud {
  readonly cloud: LocalCloud;
  /**
   * Resolves once the named stream processors and every lake delivery have checkpointed the last
   * record of every shard: what reached Kinesis before the floor stopped is now in DynamoDB and the
   * lake. (The KPI windows checkpoint only when a tumbling window closes, so they are not waited for
   * unless named.)
   */
  drained(processors: readonly string[], timeoutMs: number): Promise<void>;
  /** Stops the cloud, delivering what the lake buffered. */
  stop(): Promise<void>;
}

/** The sequence number of the last record of each non-empty shard of a stream. */
async function lastSequenceNumbers(cloud: LocalCloud, streamName: string): Promise<Map<string, string>> {
  const last = new Map<string, string>();
  const { Shards = [] } = await cloud.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await cloud.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId!,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await cloud.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = page.Records ?? [];
      if (records.length > 0) last.set(shard.ShardId!, records.at(-1)!.SequenceNumber!);
      if (records.length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return last;
}

/**
 * Starts the local cloud of a floor that has stopped (its Kinesis, DynamoDB and lake state kept in
 * the state folder) and attaches the stream processors as the floor does. The event-source mappings
 * and lake deliveries resume from their checkpoints, as they would after a restart: a clean stop leaves
 * the floor resumable, not drained, and this is how an end-to-end check waits for the tail.
 */
export async function resumeCloud(stateDir: string): Promise<ResumedCloud> {
  const config = parseLocalCloudConfig({
    CROUPIER_STATE_DIR: stateDir,
    CROUPIER_KINESIS_PORT: '0',
    CROUPIER_DYNAMODB_PORT: '0',
    CROUPIER_SNS_PORT: '0',
    CROUPIER_IOT_PORT: '0',
    CROUPIER_DEVICE_BROKER_PORT: '0',
    CROUPIER_IOT_DATA_PLANE_PORT: '0',
    CROUPIER_LAKE_BUFFER_SECONDS: '1',
  });
  const pki = await openFloorPki(join(stateDir, 'certs'), config.CROUPIER_HOST);
  const cloud = await startLocalCloud({ config, iotCertificates: pki.server, log: () => {} });
  try {
    await attachStreamProcessors(cloud, loadEnvironmentConfig('dev'), config.AWS_REGION);
  } catch (error) {
    await cloud.stop();
    throw error;
  }
  const checkpointsDir = cloud.state.checkpoints;
  const readCheckpoints = async (file: string) =>
    JSON.parse(await readFile(join(checkpointsDir, file), 'utf8')) as Record<string, string>;

  return {
    cloud,
    async drained(processors, timeoutMs) {
      const consumers = [/^delivery-/, ...processors.map((id) => new RegExp(`^esm-${id}-`))];
      const deadline = Date.now() + timeoutMs;
      const targets = new Map<string, Map<string, string>>();
      for (const stream of streams) targets.set(stream.name, await lastSequenceNumbers(cloud, stream.name));
      for (;;) {
        const behind: string[] = [];
        for (const file of await readdir(checkpointsDir)) {
          const stream = [...targets.keys()].find((name) => file.endsWith(`-${name}.json`));
          if (!stream || !consumers.some((c) => c.test(file))) continue;
          const saved = await readCheckpoints(file);
          for (const [shardId, last] of targets.get(stream)!) if (saved[shardId] !== last) behind.push(file);
        }
        if (behind.length === 0) return;
        if (Date.now() > deadline) throw new Error(`not drained within ${timeoutMs} ms: ${behind.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    stop: () => cloud.stop(),
  };
}
