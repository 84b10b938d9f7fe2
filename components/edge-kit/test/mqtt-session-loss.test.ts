import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { Aedes, type Subscription as AedesSubscription } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LocalConfigurationSource, MqttTransport } from '../src/index.js';
import { createTestPki, startTlsBroker, type TestPki } from '../src/testing/index.js';

const until = async (check: () => boolean, timeoutMs = 20_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A broker that has never seen the client: a new aedes (in-memory persistence) on a given port. */
interface FreshBroker {
  readonly aedes: Aedes;
  /** Every SUBSCRIBE the broker accepted, as topic filter and granted QoS. */
  readonly subscribed: { topic: string; qos: number }[];
  close(): Promise<void>;
}

async function startFreshBroker(pki: TestPki, port: number): Promise<FreshBroker> {
  const aedes = await Aedes.createBroker();
  const subscribed: { topic: string; qos: number }[] = [];
  aedes.on('subscribe', (subscriptions: AedesSubscription[]) => {
    subscribed.push(...subscriptions.map(({ topic, qos }) => ({ topic, qos })));
  });
  const sockets = new Set<Socket>();
  const server = tls.createServer(
    {
      cert: pki.server.certPem,
      key: pki.server.keyPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    aedes,
    subscribed,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

function publishFrom(aedes: Aedes, topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) =>
    aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, dup: false, retain: false }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

describe('MqttTransport across broker and component restarts', () => {
  let dir: string;
  let pki: TestPki;
  const transports: MqttTransport[] = [];
  const brokers: { close(): Promise<void> }[] = [];
  const lines: string[] = [];
  const logger = createLogger({ component: 'com.croupier.Example', sink: (l) => lines.push(l) });
  const logged = () => lines.map((l) => JSON.parse(l) as { message: string; link?: string; topicFilters?: string[] });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-kit-session-loss-'));
    pki = await createTestPki(dir);
  });

  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await Promise.all(brokers.map((b) => b.close()));
    await rm(dir, { recursive: true, force: true });
  });

  /** A transport with short reconnect backoff, so each restart is over in a few seconds. */
  const openTransport = async (thingName: string, localPort: number, upstreamPort: number) => {
    const identity = await pki.client(thingName);
    const endpoint = (port: number) => ({
      host: '127.0.0.1',
      port,
      caPath: pki.caPath,
      certPath: identity.certPath,
      keyPath: identity.keyPath,
    });
    const transport = new MqttTransport({
      componentName: 'com.croupier.Example',
      thingName,
      local: endpoint(localPort),
      upstream: endpoint(upstreamPort),
      configuration: new LocalConfigurationSource({}, join(dir, `${thingName}.json`), logger),
      logger,
      tuning: { reconnectMinSec: 1, reconnectMaxSec: 2 },
    });
    transports.push(transport);
    await transport.connect();
    return transport;
  };

  it('GIVEN local and upstream subscriptions WHEN both brokers are replaced by new ones on the same ports THEN the transport subscribes again with the same QoS and messages arrive', async () => {
    const localBefore = await startTlsBroker({ ca: pki.ca, server: pki.server });
    const upstreamBefore = await startTlsBroker({ ca: pki.ca, server: pki.server });
    const transport = await openTransport('core-test-01', localBefore.port, upstreamBefore.port);
    const events: string[] = [];
    const offers: string[] = [];
    await transport.subscribeLocal('croupier/local/slot/+', ({ payload }) => {
      events.push(payload.toString());
    });
    await transport.subscribeUpstream(
      'croupier/vegas/core-test-01/offers',
      ({ payload }) => {
        offers.push(payload.toString());
      },
      0,
    );
    const released = await transport.subscribeLocal('croupier/local/released', () => {});
    await released.close();

    const [localPort, upstreamPort] = [localBefore.port, upstreamBefore.port];
    await Promise.all([localBefore.close(), upstreamBefore.close()]);
    const local = await startFreshBroker(pki, localPort);
    const upstream = await startFreshBroker(pki, upstreamPort);
    brokers.push(local, upstream);

    await until(() => local.subscribed.length > 0 && upstream.subscribed.length > 0);
    expect(local.subscribed).toEqual([{ topic: 'croupier/local/slot/+', qos: 1 }]);
    expect(upstream.subscribed).toEqual([{ topic: 'croupier/vegas/core-test-01/offers', qos: 0 }]);

    await publishFrom(local.aedes, 'croupier/local/slot/events', 'after-restart');
    await publishFrom(upstream.aedes, 'croupier/vegas/core-test-01/offers', 'offer-after-restart');
    await until(() => events.length === 1 && offers.length === 1);
    expect(events).toEqual(['after-restart']);
    expect(offers).toEqual(['offer-after-restart']);

    const restored = logged().filter((l) => l.message.startsWith('MQTT session lost by the broker'));
    expect(restored.map((l) => [l.link, l.topicFilters]).sort()).toEqual([
      ['local', ['croupier/local/slot/+']],
      ['upstream', ['croupier/vegas/core-test-01/offers']],
    ]);
  }, 60_000);

  it('GIVEN a component whose persistent session queued messages while it was down WHEN it restarts and subscribes only later THEN every queued message reaches the handler, in order', async () => {
    const broker = await startTlsBroker({ ca: pki.ca, server: pki.server });
    const upstream = await startTlsBroker({ ca: pki.ca, server: pki.server });
    brokers.push(broker, upstream);
    const before = await openTransport('core-test-03', broker.port, upstream.port);
    await before.subscribeLocal('croupier/local/slot/+', () => {});
    await before.close();
    const queued = Array.from({ length: 50 }, (_, n) => `while-down-${n}`);
    for (const payload of queued) await publishFrom(broker.aedes, 'croupier/local/slot/events', payload);

    const after = await openTransport('core-test-03', broker.port, upstream.port);
    // The broker sends the backlog right after CONNACK; the component subscribes after its start-up work.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events: string[] = [];
    await after.subscribeLocal('croupier/local/slot/+', ({ payload }) => {
      events.push(payload.toString());
    });
    await publishFrom(broker.aedes, 'croupier/local/slot/events', 'after-subscribe');
    await until(() => events.length === queued.length + 1);

    expect(events).toEqual([...queued, 'after-subscribe']);
  }, 60_000);

  it('GIVEN a local subscription WHEN the broker comes back with the session THEN the broker redelivers to the kept subscription and the transport does not subscribe again', async () => {
    const broker = await startTlsBroker({ ca: pki.ca, server: pki.server });
    const upstream = await startTlsBroker({ ca: pki.ca, server: pki.server });
    brokers.push(broker, upstream);
    const transport = await openTransport('core-test-02', broker.port, upstream.port);
    const events: string[] = [];
    await transport.subscribeLocal('croupier/local/shuffler/+', ({ payload }) => {
      events.push(payload.toString());
    });
    const resubscribed: string[] = [];
    broker.aedes.on('subscribe', (subscriptions: AedesSubscription[]) => {
      resubscribed.push(...subscriptions.map((s) => s.topic));
    });
    const resumed = () => logged().filter((l) => l.message === 'MQTT link resumed' && l.link === 'local').length;
    const sessionLosses = () => logged().filter((l) => l.message.startsWith('MQTT session lost by the broker')).length;
    const [resumedBefore, sessionLossesBefore] = [resumed(), sessionLosses()];

    await broker.stop();
    await broker.start();
    await until(() => resumed() > resumedBefore);
    await publishFrom(broker.aedes, 'croupier/local/shuffler/events', 'kept-session');
    await until(() => events.length === 1);

    expect(events).toEqual(['kept-session']);
    expect(resubscribed).toEqual([]);
    expect(sessionLosses()).toBe(sessionLossesBefore);
  }, 60_000);
});
