import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LocalConfigurationSource, MqttTransport } from '@croupier/edge-kit';
import { createTestPki, type TestPki } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalPubSubBroker, startLocalPubSubBroker } from '../../scripts/start/local-pubsub-broker.js';

const until = async (check: () => boolean, timeoutMs = 20_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the core local pub/sub broker with a session folder', () => {
  let dir: string;
  let pki: TestPki;
  const logger = createLogger({ component: 'com.croupier.Example', sink: () => {} });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-pubsub-'));
    pki = await createTestPki(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A component's transport: client id `<thing>-example`, which the broker checks against the CN. */
  const component = async (thingName: string, port: number) => {
    const identity = await pki.client(`${thingName}-example`);
    const endpoint = {
      host: '127.0.0.1',
      port,
      caPath: pki.caPath,
      certPath: identity.certPath,
      keyPath: identity.keyPath,
    };
    const transport = new MqttTransport({
      componentName: 'com.croupier.Example',
      thingName,
      local: endpoint,
      configuration: new LocalConfigurationSource({}, join(dir, `${thingName}.json`), logger),
      logger,
      tuning: { reconnectMinSec: 1, reconnectMaxSec: 2 },
    });
    await transport.connect();
    return transport;
  };

  const start = (port: number): Promise<LocalPubSubBroker> =>
    startLocalPubSubBroker({
      host: '127.0.0.1',
      port,
      tls: { caPem: pki.ca.certPem, certPem: pki.server.certPem, keyPem: pki.server.keyPem },
      sessionDir: join(dir, 'sessions'),
    });

  it('GIVEN a subscriber away with a persistent session WHEN messages are queued for it, the broker restarts and more are queued THEN the subscriber gets every message of both runs, in order', async () => {
    const first = await start(0);
    const subscriberBefore = await component('core-sub', first.port);
    await subscriberBefore.subscribeLocal('croupier/local/slot/+', () => {});
    await subscriberBefore.close();
    const sent = Array.from({ length: 80 }, (_, n) => `${n < 40 ? 'first' : 'second'}-run-${n}`);
    const publishFrom = async (port: number, payloads: string[]) => {
      const publisher = await component('core-pub', port);
      for (const payload of payloads) await publisher.publishLocal('croupier/local/slot/events', Buffer.from(payload));
      await publisher.close();
    };
    await publishFrom(first.port, sent.slice(0, 40));
    await first.close();

    // The restarted broker numbers its messages from zero again: they must not take the place of the queued ones.
    const second = await start(first.port);
    await publishFrom(second.port, sent.slice(40));
    const subscriber = await component('core-sub', second.port);
    const received: string[] = [];
    await subscriber.subscribeLocal('croupier/local/slot/+', ({ payload }) => {
      received.push(payload.toString());
    });
    await until(() => received.length >= sent.length);

    expect(received).toEqual(sent);
    await subscriber.close();
    await second.close();
  }, 60_000);

  it("GIVEN a connected subscriber WHEN several publishers send at once THEN every message is delivered live, each publisher's in the order it sent them", async () => {
    const broker = await start(0);
    const subscriber = await component('core-live', broker.port);
    const received: string[] = [];
    await subscriber.subscribeLocal('croupier/local/slot/+', ({ payload }) => {
      received.push(payload.toString());
    });
    const publishers = await Promise.all(
      ['core-p1', 'core-p2', 'core-p3', 'core-p4'].map((name) => component(name, broker.port)),
    );
    const sentBy = publishers.map((_, p) => Array.from({ length: 250 }, (_, n) => `publisher-${p}-message-${n}`));
    // Each publisher sends without waiting for acknowledgements, as SMIBs and components do.
    await Promise.all(
      publishers.map((publisher, p) =>
        Promise.all(
          sentBy[p]!.map((payload) => publisher.publishLocal('croupier/local/slot/events', Buffer.from(payload))),
        ),
      ),
    );
    await until(() => received.length >= sentBy.flat().length, 10_000).catch(() => {});

    expect(sentBy.map((_, p) => received.filter((payload) => payload.startsWith(`publisher-${p}-`)))).toEqual(sentBy);
    await Promise.all([subscriber, ...publishers].map((t) => t.close()));
    await broker.close();
  }, 60_000);
});
