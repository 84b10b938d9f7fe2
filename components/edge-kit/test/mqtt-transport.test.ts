import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AedesPublishPacket } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationStore, createLogger, LocalConfigurationSource, MqttTransport, readRecipe } from '../src/index.js';
import { createTestPki, startTlsBroker, type TlsBroker } from '../src/testing/index.js';

const RECIPE = `
RecipeFormatVersion: '2020-01-25'
ComponentName: com.croupier.Example
ComponentVersion: '1.2.3'
ComponentConfiguration:
  DefaultConfiguration:
    property: vegas
    batch:
      maxEvents: 100
      maxDelayMs: 1000
    streams: [slot, health]
`;

const Schema = z.object({
  property: z.string(),
  batch: z.object({ maxEvents: z.int().min(1), maxDelayMs: z.int().min(10) }),
  streams: z.array(z.string()),
});

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('MqttTransport against real aedes brokers over mutual TLS', () => {
  let dir: string;
  let local: TlsBroker;
  let upstream: TlsBroker;
  let transport: MqttTransport;
  const lines: string[] = [];
  const logger = createLogger({ component: 'com.croupier.Example', sink: (l) => lines.push(l) });
  let configPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-kit-mqtt-'));
    const pki = await createTestPki(dir);
    local = await startTlsBroker({ ca: pki.ca, server: pki.server });
    upstream = await startTlsBroker({ ca: pki.ca, server: pki.server });
    const identity = await pki.client('core-test-01');
    const endpoint = (b: TlsBroker) => ({
      host: b.host,
      port: b.port,
      caPath: pki.caPath,
      certPath: identity.certPath,
      keyPath: identity.keyPath,
    });
    const recipePath = join(dir, 'recipe.yaml');
    await writeFile(recipePath, RECIPE);
    configPath = join(dir, 'configuration.json');
    await writeFile(configPath, JSON.stringify({ batch: { maxEvents: 50 } }));
    const recipe = await readRecipe(recipePath);
    transport = new MqttTransport({
      componentName: recipe.componentName,
      thingName: 'core-test-01',
      local: endpoint(local),
      upstream: endpoint(upstream),
      configuration: new LocalConfigurationSource(recipe.defaultConfiguration, configPath, logger),
      logger,
    });
    await transport.connect();
  });

  afterAll(async () => {
    await transport?.close();
    await local?.close();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN a local subscription WHEN a component publishes locally THEN the message arrives through the broker', async () => {
    const received: { topic: string; text: string }[] = [];
    const sub = await transport.subscribeLocal('croupier/local/+/events', ({ topic, payload }) => {
      received.push({ topic, text: payload.toString('utf8') });
    });
    await transport.publishLocal('croupier/local/slot/events', Buffer.from('{"n":1}'));
    await until(() => received.length === 1);
    expect(received).toEqual([{ topic: 'croupier/local/slot/events', text: '{"n":1}' }]);
    await sub.close();
  });

  it('GIVEN a local subscription WHEN an empty message is published THEN the handler receives it, empty, in order', async () => {
    const received: string[] = [];
    const sub = await transport.subscribeLocal('croupier/local/+/empty', ({ payload }) => {
      received.push(payload.toString('hex'));
    });
    // The CRT hands an empty payload as a detached ArrayBuffer; converting it used to throw and lose the message.
    await transport.publishLocal('croupier/local/slot/empty', new Uint8Array(0));
    await transport.publishLocal('croupier/local/slot/empty', Buffer.from([0xab]));
    await until(() => received.length === 2);
    expect(received).toEqual(['', 'ab']);
    await sub.close();
  });

  it('GIVEN the upstream broker WHEN publishing with QoS 1 THEN the broker receives it with QoS 1 and a downlink subscription works', async () => {
    const seen: AedesPublishPacket[] = [];
    upstream.aedes.on('publish', (packet, client) => {
      if (client && packet.topic.startsWith('croupier/vegas/')) seen.push(packet);
    });
    await transport.publishUpstream('croupier/vegas/core-test-01/slot', Buffer.from([1, 2, 3]), 1);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.qos).toBe(1);
    expect([...seen[0]!.payload]).toEqual([1, 2, 3]);

    const offers: string[] = [];
    await transport.subscribeUpstream(
      'croupier/vegas/core-test-01/offers',
      ({ payload }) => {
        offers.push(payload.toString());
      },
      1,
    );
    upstream.aedes.publish(
      {
        cmd: 'publish',
        topic: 'croupier/vegas/core-test-01/offers',
        payload: Buffer.from('offer'),
        qos: 1,
        dup: false,
        retain: false,
      },
      () => {},
    );
    await until(() => offers.length === 1);
    expect(offers).toEqual(['offer']);
  });

  it('GIVEN recipe defaults and a deployment file WHEN reading configuration THEN the file is merged over the defaults', async () => {
    expect(await transport.getConfiguration()).toEqual({
      property: 'vegas',
      batch: { maxEvents: 50, maxDelayMs: 1000 },
      streams: ['slot', 'health'],
    });
  });

  it('GIVEN a running configuration WHEN the file changes validly, then invalidly THEN the valid update applies and the invalid one is rejected with a logged reason', async () => {
    const store = new ConfigurationStore(transport, Schema, logger);
    await store.load();
    const applied: number[] = [];
    store.onUpdate((next) => {
      applied.push(next.batch.maxEvents);
    });
    await store.watch();

    await writeFile(configPath, JSON.stringify({ batch: { maxEvents: 75 } }));
    await until(() => applied.length === 1);
    expect(store.current.batch.maxEvents).toBe(75);

    await writeFile(configPath, JSON.stringify({ batch: { maxEvents: 0, maxDelayMs: 'soon' } }));
    await until(() => store.rejectedUpdates === 1);
    await store.settled();
    expect(store.current.batch).toEqual({ maxEvents: 75, maxDelayMs: 1000 });
    const rejection = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.message.startsWith('configuration update rejected'));
    expect(rejection.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^batch\.maxEvents: /),
        expect.stringMatching(/^batch\.maxDelayMs: /),
      ]),
    );

    await writeFile(configPath, '{ not json');
    await until(() => lines.some((l) => l.includes('configuration file rejected')));
    expect(store.current.batch.maxEvents).toBe(75);
    expect(applied).toEqual([75]);
  });
});
