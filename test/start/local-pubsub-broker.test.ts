import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
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
      sessionKeyPath: join(dir, 'secrets', 'sessions.key'),
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
    // SMIB card-ins carry card numbers: what is queued is on disk only sealed.
    const stored = await Promise.all(
      (await readdir(join(dir, 'sessions'))).map((file) => readFile(join(dir, 'sessions', file))),
    );
    expect(stored.some((bytes) => bytes.includes('first-run-'))).toBe(false);
    expect((await stat(join(dir, 'secrets', 'sessions.key'))).mode & 0o077).toBe(0);

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
    await until(() => received.length >= sentBy.flat().length, 30_000).catch(() => {});

    expect(sentBy.map((_, p) => received.filter((payload) => payload.startsWith(`publisher-${p}-`)))).toEqual(sentBy);
    await Promise.all([subscriber, ...publishers].map((t) => t.close()));
    await broker.close();
  }, 60_000);

  it('GIVEN messages queued for a session WHEN its client reconnects while the publisher keeps sending THEN the queue arrives first and the whole stream stays in order', async () => {
    const broker = await start(0);
    const away = await component('core-back', broker.port);
    await away.subscribeLocal('croupier/local/slot/+', () => {});
    await away.close();
    const publisher = await component('core-feed', broker.port);
    const sent = Array.from({ length: 2_300 }, (_, n) => `message-${n}`);
    await Promise.all(
      sent.slice(0, 2_000).map((payload) => publisher.publishLocal('croupier/local/slot/events', Buffer.from(payload))),
    );

    // The session is back: the broker resends its queue while the rest is being sent.
    const back = await component('core-back', broker.port);
    const live = Promise.all(
      sent.slice(2_000).map((payload) => publisher.publishLocal('croupier/local/slot/events', Buffer.from(payload))),
    );
    const received: string[] = [];
    await back.subscribeLocal('croupier/local/slot/+', ({ payload }) => {
      received.push(payload.toString());
    });
    await live;
    await until(() => new Set(received).size >= sent.length);

    // A message both queued and sent live may come twice (QoS 1); its first arrival is its place.
    expect([...new Set(received)]).toEqual(sent);
    await Promise.all([back.close(), publisher.close()]);
    await broker.close();
  }, 60_000);

  it('GIVEN a session whose client goes away in the middle of its resend WHEN the publisher keeps sending THEN its messages are still acknowledged and reach the client when it is back', async () => {
    const broker = await start(0);
    const away = await component('core-gone', broker.port);
    await away.subscribeLocal('croupier/local/slot/+', () => {});
    await away.close();
    const publisher = await component('core-send', broker.port);
    const sent = Array.from({ length: 2_100 }, (_, n) => `message-${n}`);
    const publish = (payloads: string[]) =>
      Promise.all(payloads.map((p) => publisher.publishLocal('croupier/local/slot/events', Buffer.from(p))));
    await publish(sent.slice(0, 2_000));

    // Connected just long enough to take (and acknowledge) the head of its queue, then gone.
    const brief = await component('core-gone', broker.port);
    const live = publish(sent.slice(2_000));
    await brief.close();
    await live;

    const back = await component('core-gone', broker.port);
    const received = new Set<string>();
    await back.subscribeLocal('croupier/local/slot/+', ({ payload }) => {
      received.add(payload.toString());
    });
    await until(() => sent.slice(1_999).every((payload) => received.has(payload)));

    expect(sent.slice(1_999).filter((payload) => !received.has(payload))).toEqual([]);
    await Promise.all([back.close(), publisher.close()]);
    await broker.close();
  }, 60_000);
});
