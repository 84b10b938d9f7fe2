/**
 * Throughput of the local IoT Core's uplink path: a core publishing binary envelopes over mTLS,
 * policy checks, the rules engine and PutRecord into kinesalite. Run once, briefly:
 *   node --import tsx cloud/local/iot/bench/rules-throughput.ts [messages] [payloadBytes]
 * Prints figures only; compare runs on the same machine, never against a fixed threshold.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '@croupier/certs-tooling';
import type { mqtt } from 'aws-iot-device-sdk-v2';
import { streams } from '../../../definitions/streams.js';
import { startLocalIotCore } from '../local-iot-core.js';
import { connectMqtt, createPki, createStream, startKinesalite, TEST_CREDENTIALS } from '../test/fixtures.js';

const messages = Number(process.argv[2] ?? 1000);
const payloadBytes = Number(process.argv[3] ?? 4096);

const pki = await createPki();
const kinesalite = await startKinesalite();
for (const stream of streams) await createStream(kinesalite.client, stream.name, stream.shardCount);
const lakeDir = await mkdtemp(join(tmpdir(), 'croupier-bench-'));
const core = await startLocalIotCore({
  tls: { caPem: pki.ca.certPem, certPem: pki.server.certPem, keyPem: pki.server.keyPem },
  kinesis: { endpoint: kinesalite.endpoint, credentials: TEST_CREDENTIALS },
  lakeDir,
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

console.log(
  JSON.stringify(
    {
      messages,
      payloadBytes,
      publishAckedSeconds: seconds(published).toFixed(3),
      deliveredToKinesisSeconds: seconds(drained).toFixed(3),
      messagesPerSecond: Math.round(messages / seconds(drained)),
      delivered: core.counters.delivered,
      failed: core.counters.failed,
      rssGrowthMiB: ((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(1),
    },
    null,
    2,
  ),
);

await connection.disconnect();
await core.close();
await kinesalite.close();
await rm(lakeDir, { recursive: true, force: true });
