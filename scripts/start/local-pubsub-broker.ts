import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import type { IotCertificates } from '@croupier/cloud/local/local-cloud';
import { Aedes, type AuthenticateError } from 'aedes';
import { v7 as uuidv7 } from 'uuid';
import { openLocalPubSubSessions } from './local-pubsub-sessions.js';
import { ensureSealingKey } from './sealed-value-store.js';

/** The core's local pub/sub: what Greengrass IPC publish/subscribe is on a real core. */
export interface LocalPubSubBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Messages accepted since start, by topic. */
  readonly published: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** Where the floor's local pub/sub broker keeps its sessions under a state folder. */
export const localPubSubSessionDir = (stateDir: string): string => join(stateDir, 'pubsub-sessions');

/** The key that seals the values of the session store, in the state folder's secrets. */
export const localPubSubSessionKeyPath = (stateDir: string): string => join(stateDir, 'secrets', 'pubsub-sessions.key');

/** MQTT 3.1.1 CONNACK "not authorized". */
const NOT_AUTHORIZED = 5;

/**
 * Starts the core's local pub/sub broker: aedes over mutual TLS with the project CA on loopback.
 * A component proves who it is with its own certificate and must connect with the certificate's
 * CN as client id, so one component cannot take over another's session.
 *
 * Sessions live in LevelDB in `sessionDir`: a broker restarted on the same folder still
 * has each persistent session's subscriptions and the QoS 1 messages queued for it, so what a
 * publisher sends before a subscriber is back is delivered when it is. LevelDB's writes reach the
 * kernel before the broker acknowledges, so they survive the broker process dying, not the machine.
 * Stored messages are sealed with the key at `sessionKeyPath`: SMIB card-ins carry card numbers.
 */
export async function startLocalPubSubBroker(options: {
  readonly host: string;
  readonly port: number;
  readonly tls: IotCertificates;
  readonly sessionDir: string;
  /** The sealing key's file, made on first use: queued messages are stored encrypted. */
  readonly sessionKeyPath: string;
}): Promise<LocalPubSubBroker> {
  const sessions = openLocalPubSubSessions(options.sessionDir, await ensureSealingKey(options.sessionKeyPath));
  const broker = await Aedes.createBroker({
    // The persistence keys each queued message by broker id and a counter that restarts at zero, so a
    // broker restarted on the same folder needs an id of its own or it overwrites what its previous
    // run queued; a time-ordered id also keeps the previous run's messages ahead of the new ones.
    id: `croupier-local-pubsub-${uuidv7()}`,
    persistence: sessions.persistence,
  });
  const published = new Map<string, number>();
  broker.authenticate = (client, _username, _password, done) => {
    const socket = client.conn as unknown as tls.TLSSocket;
    // A client that hung up before authentication has no peer certificate left (null, not an object).
    const cn = socket.authorized ? socket.getPeerCertificate()?.subject?.CN : undefined;
    if (typeof cn === 'string' && cn === client.id) return done(null, true);
    const error = new Error(`client id "${client.id}" differs from its certificate CN`) as AuthenticateError;
    error.returnCode = NOT_AUTHORIZED;
    done(error, false);
  };
  broker.on('clientDisconnect', (client) => sessions.releaseClient(client));
  broker.on('publish', (packet) => {
    if (!packet.topic.startsWith('$SYS/')) published.set(packet.topic, (published.get(packet.topic) ?? 0) + 1);
  });
  const sockets = new Set<Socket>();
  const server = tls.createServer(
    {
      ca: options.tls.caPem,
      cert: options.tls.certPem,
      key: options.tls.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      broker.handle(socket);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: options.host,
    port,
    url: `mqtts://${options.host}:${port}`,
    published,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
      await sessions.close();
    },
  };
}
