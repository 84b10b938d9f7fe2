/**
 * Throughput of the local IoT Core's uplink path: a core publishing binary envelopes over mTLS,
 * policy checks, the rules engine and PutRecord into kinesalite. Run once, briefly:
 *   node --import tsx cloud/local/iot/bench/rules-throughput.ts [messages] [payloadBytes]
 * Prints figures only; compare runs on the same machine, never against a fixed threshold.
 * `benchRulesThroughput` returns the same figures to `npm run bench`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { issueCertificate } from '@croupier/certs-tooling';
import type { mqtt } from 'aws-iot-device-sdk-v2';
import { streams } from '../../../definitions/streams.js';
import { startLocalIotCore } from '../local-iot-core.js';
import { connectMqtt, createPki, createStream, startKinesalite, TEST_CREDENTIALS } from '../test/fixtures.js';

/** What the rules benchmark measures. */
export interface RulesBenchFigures {
  readonly messages: number;
  readonly payloadBytes: number;
  readonly publishAckedSeconds: number;
  readonly deliveredToKinesisSeconds: number;
  readonly messagesPerSecond: number;
  readonly delivered: number;
  readonly failed: number;
  readonly rssGrowthBytes: number;
}

/** Publishes `messages` envelopes of `payloadBytes` over mTLS and waits until the rules delivered them to kinesalite. */
export async function benchRulesThroughput(options: {
  readonly messages: number;
  readonly payloadBytes: number;
}): Promise<RulesBenchFigures> {
  const { messages, payloadBytes } = options;
  const pki = await createPki();
  const kinesalite = await startKinesalite();
  for (const stream of streams) await createStream(kinesalite.client, stream.name, stream.shardCount);
  const lakeDir = await mkdtemp(join(tmpdir(), 'croupier-bench-'));
  const core = await startLocalIotCore({
    tls: { caPem: pki.ca.certPem, certPem: pki.server.certPem, keyPem: pki.server.keyPem },
    kinesis: { endpoint: kinesalite.endpoint, credentials: TEST_CREDENTIALS },
    lakeDir,
    iot: { corePrincipals: ['core-bench'] },
  });
  const cert = await issueCertificate(pki.ca, { commonName: 'core-bench', usage: 'client' });
  const connection = await connectMqtt({
    ...cert,
    caPem: pki.ca.certPem,
    clientId: 'core-bench',
    port: core.iotEndpoint.port,
  });

  const payload = randomBytes(payloadBytes);
  const rssBefore = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: messages }, (_, i) =>
      connection.publish(`croupier/bench/core-bench/${i % 2 ? 'slot' : 'shuffler'}`, payload, 1 as mqtt.QoS),
    ),
  );
  const published = process.hrtime.bigint();
  await core.drain();
  const drained = process.hrtime.bigint();
  const seconds = (t: bigint) => Number(t - started) / 1e9;

  const figures: RulesBenchFigures = {
    messages,
    payloadBytes,
    publishAckedSeconds: seconds(published),
    deliveredToKinesisSeconds: seconds(drained),
    messagesPerSecond: messages / seconds(drained),
    delivered: core.counters.delivered,
    failed: core.counters.failed,
    rssGrowthBytes: process.memoryUsage().rss - rssBefore,
  };

  await connection.disconnect();
  await core.close();
  await kinesalite.close();
  await rm(lakeDir, { recursive: true, force: true });
  return figures;
}

async function main(): Promise<void> {
  const f = await benchRulesThroughput({
    messages: Number(process.argv[2] ?? 1000),
    payloadBytes: Number(process.argv[3] ?? 4096),
  });
  console.log(
    JSON.stringify(
      {
        messages: f.messages,
        payloadBytes: f.payloadBytes,
        publishAckedSeconds: f.publishAckedSeconds.toFixed(3),
        deliveredToKinesisSeconds: f.deliveredToKinesisSeconds.toFixed(3),
        messagesPerSecond: Math.round(f.messagesPerSecond),
        delivered: f.delivered,
        failed: f.failed,
        rssGrowthMiB: (f.rssGrowthBytes / 2 ** 20).toFixed(1),
      },
      null,
      2,
    ),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
