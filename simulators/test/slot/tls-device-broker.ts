import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { type CertificateAuthority, createCertificateAuthority, issueCertificate } from '@croupier/certs-tooling';
import { smibAcksTopic, smibDisplayTopic, smibEventsTopic } from '@croupier/contracts';
import { Aedes, type AedesPublishPacket } from 'aedes';

/** A message the broker accepted from a client. */
export interface BrokerMessage {
  readonly clientId: string;
  readonly topic: string;
  readonly payload: Buffer;
}

/**
 * A client-device broker as the core runs it: aedes behind a TLS server that demands a client
 * certificate from the test CA, accepts a client only when its id equals its certificate's CN, and lets
 * an SMIB publish only its own events topic and subscribe only its own display and acknowledgements.
 */
export interface TlsDeviceBroker {
  readonly ca: CertificateAuthority;
  readonly port: number;
  readonly messages: BrokerMessage[];
  readonly refusedConnections: string[];
  /** Calls `listener` with every message a client publishes from now on. */
  onMessage(listener: (message: BrokerMessage) => void): void;
  publishDisplay(machineId: string, payload: string): Promise<void>;
  /** Sends a payload on a machine's acknowledgements topic, as SlotGateway does through the bridge. */
  publishAck(machineId: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the broker on 127.0.0.1 and an ephemeral port, with a fresh CA unless one is given. */
export async function startTlsDeviceBroker(givenCa?: CertificateAuthority): Promise<TlsDeviceBroker> {
  const ca = givenCa ?? (await createCertificateAuthority({ commonName: 'Croupier Test Floor CA' }));
  const server = await issueCertificate(ca, { commonName: 'core-broker', usage: 'server' });
  const messages: BrokerMessage[] = [];
  const refusedConnections: string[] = [];
  const cnOf = (conn: unknown) => (conn as tls.TLSSocket).getPeerCertificate?.().subject?.CN;
  const broker = await Aedes.createBroker({
    authenticate: (client, _user, _password, done) => {
      const ok = (client.conn as tls.TLSSocket).authorized === true && cnOf(client.conn) === client.id;
      if (!ok) refusedConnections.push(client.id);
      done(null, ok);
    },
    authorizePublish: (client, packet, done) => {
      done(client !== null && packet.topic === smibEventsTopic(client.id) ? null : new Error('not allowed'));
    },
    authorizeSubscribe: (client, sub, done) => {
      done(null, sub.topic === smibDisplayTopic(client.id) || sub.topic === smibAcksTopic(client.id) ? sub : null);
    },
  });
  const listeners: ((message: BrokerMessage) => void)[] = [];
  broker.on('publish', (packet: AedesPublishPacket, client) => {
    if (!client) return;
    const message = { clientId: client.id, topic: packet.topic, payload: Buffer.from(packet.payload) };
    messages.push(message);
    for (const listener of listeners) listener(message);
  });
  const tlsServer = tls.createServer(
    { key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
    (socket) => broker.handle(socket),
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const publish = (topic: string, payload: string) =>
    new Promise<void>((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  return {
    ca,
    port: (tlsServer.address() as AddressInfo).port,
    messages,
    refusedConnections,
    onMessage: (listener) => {
      listeners.push(listener);
    },
    publishDisplay: (machineId, payload) => publish(smibDisplayTopic(machineId), payload),
    publishAck: (machineId, payload) => publish(smibAcksTopic(machineId), payload),
    close: async () => {
      await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
