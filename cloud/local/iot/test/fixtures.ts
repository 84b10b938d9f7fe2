import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { type CertificateAuthority, createCertificateAuthority, issueCertificate } from '@croupier/certs-tooling';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';

const require = createRequire(import.meta.url);

export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** A real kinesalite on an ephemeral loopback port, with an SDK client pointed at it. */
export async function startKinesalite(): Promise<{ endpoint: string; client: KinesisClient; close(): Promise<void> }> {
  const server = require('kinesalite')({ createStreamMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
  });
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function createStream(client: KinesisClient, name: string, shards: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilStreamExists({ client, maxWaitTime: 20, minDelay: 1 }, { StreamName: name });
}

/** Every record in every shard of a stream, from the trim horizon. */
export async function readAllRecords(
  client: KinesisClient,
  streamName: string,
): Promise<{ partitionKey: string; data: Buffer }[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const records: { partitionKey: string; data: Buffer }[] = [];
  for (const shard of Shards) {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator }));
    for (const r of Records) records.push({ partitionKey: r.PartitionKey!, data: Buffer.from(r.Data!) });
  }
  return records;
}

/** The project CA, the server certificate of both listeners, and a CA nobody trusts. */
export interface Pki {
  readonly ca: CertificateAuthority;
  readonly server: { certPem: string; keyPem: string };
  readonly foreignCa: CertificateAuthority;
}

export async function createPki(): Promise<Pki> {
  const ca = await createCertificateAuthority({ commonName: 'Croupier Test Root CA' });
  const server = await issueCertificate(ca, { commonName: 'local-iot', usage: 'server' });
  const foreignCa = await createCertificateAuthority({ commonName: 'Foreign CA' });
  return { ca, server, foreignCa };
}

/**
 * Connects the way a real core (or SMIB) does: aws-iot-device-sdk-v2's MQTT 3.1.1 client over
 * mTLS. Rejects if the broker refuses the handshake or the CONNECT.
 */
export async function connectMqtt(options: {
  port: number;
  caPem: string;
  certPem: string;
  keyPem: string;
  clientId: string;
}): Promise<mqtt.MqttClientConnection> {
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(options.certPem, options.keyPem)
    .with_certificate_authority(options.caPem)
    .with_endpoint('127.0.0.1')
    .with_port(options.port)
    .with_client_id(options.clientId)
    .with_clean_session(true)
    .with_keep_alive_seconds(30)
    .build();
  const connection = new mqtt.MqttClient().new_connection(config);
  try {
    await connection.connect();
    return connection;
  } catch (error) {
    await connection.disconnect().catch(() => {});
    throw error;
  }
}

/**
 * Resolves once the broker has closed `connection`. Not `events.once`, which rejects on an `error`
 * event: the CRT client may emit one first, for the publish the broker answered by closing.
 */
export function interruption(connection: mqtt.MqttClientConnection): Promise<void> {
  return new Promise((resolve) => connection.once('interrupt', () => resolve()));
}

/** Waits until `predicate` holds, polling briefly; fails with `what` after `timeoutMs`. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
