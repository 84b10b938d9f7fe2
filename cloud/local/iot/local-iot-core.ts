import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { revokedSerialNumbers } from '@croupier/certs-tooling';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Aedes } from 'aedes';
import { type AuthorizationDenial, type Authorizer, installAuthorizer } from './authorizer.js';
import { deviceGatewayPolicy, smibPolicy } from './client-device-policy.js';
import { type LocalIotCoreConfig, type LocalIotCoreConfigInput, parseLocalIotCoreConfig } from './config.js';
import { corePolicy, downlinkServicePolicy } from './core-policy.js';
import { createDataPlaneServer } from './data-plane-endpoint.js';
import { type DevicePolicy, isAllowed } from './policy.js';
import { type RuleOutcome, RulesEngine } from './rules-engine.js';

/** Where a client connects: MQTT 3.1.1 over TLS with a client certificate. */
export interface MqttsEndpoint {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

/** A TLS handshake the listener refused: foreign CA, revoked or missing client certificate. */
export interface HandshakeRefusal {
  readonly broker: string;
  readonly reason: string;
}

export interface LocalIotCoreEvents {
  denied: [AuthorizationDenial];
  handshakeRefused: [HandshakeRefusal];
  rule: [RuleOutcome];
}

/** Counters an operator or the dashboard reads; every denial and rule outcome is counted. */
export interface LocalIotCoreCounters {
  handshakesRefused: number;
  denied: number;
  delivered: number;
  failed: number;
  errorActionFailed: number;
}

export interface LocalIotCore {
  /** The IoT Core data endpoint cores connect to. */
  readonly iotEndpoint: MqttsEndpoint;
  /** The core's client-device broker SMIBs connect to. */
  readonly deviceBrokerEndpoint: MqttsEndpoint;
  /** The IoT data-plane HTTP endpoint (`Publish`), for `AWS_ENDPOINT_URL_IOT_DATA_PLANE`. */
  readonly dataPlaneEndpoint: string;
  readonly events: EventEmitter<LocalIotCoreEvents>;
  readonly counters: Readonly<LocalIotCoreCounters>;
  /**
   * Replaces the CRL on both listeners: new handshakes are checked against it and live sessions of
   * newly revoked certificates are closed. Returns how many sessions were closed.
   */
  updateRevocationList(crlPem: string): number;
  /** Resolves once every accepted message has been delivered or handed to its error action. */
  drain(): Promise<void>;
  /** Stops listening, disconnects clients, finishes in-flight rule actions. */
  close(): Promise<void>;
}

/** The principal name the data-plane endpoint's publishes are attributed to in denials. */
const DATA_PLANE_PRINCIPAL = 'iot-data-plane';

interface Listener {
  readonly broker: Aedes;
  readonly authorizer: Authorizer;
  readonly server: tls.Server;
  readonly endpoint: MqttsEndpoint;
}

function secureContextOptions(config: LocalIotCoreConfig, crlPem: string | undefined): tls.SecureContextOptions {
  return {
    ca: config.tls.caPem,
    cert: config.tls.certPem,
    key: config.tls.keyPem,
    ...(crlPem ? { crl: crlPem } : {}),
    minVersion: 'TLSv1.2',
  };
}

async function listen(
  name: string,
  config: LocalIotCoreConfig,
  port: number,
  policyFor: (thingName: string) => DevicePolicy | undefined,
  onDenied: (denial: AuthorizationDenial) => void,
  onHandshakeRefused: (refusal: HandshakeRefusal) => void,
): Promise<Listener> {
  const broker = await Aedes.createBroker({ id: `croupier-local-${name}` });
  const authorizer = installAuthorizer(broker, { broker: name, policyFor, onDenied });
  const server = tls.createServer(
    { ...secureContextOptions(config, config.tls.crlPem), requestCert: true, rejectUnauthorized: true },
    (socket) => broker.handle(socket),
  );
  // A refused handshake is an expected outcome to count and report, never a fault of the server.
  server.on('tlsClientError', (error) => onHandshakeRefused({ broker: name, reason: error.message }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = config.host;
  return { broker, authorizer, server, endpoint: { host, port: address.port, url: `mqtts://${host}:${address.port}` } };
}

async function shutdown(listener: Listener): Promise<void> {
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  await new Promise<void>((resolve) => listener.broker.close(() => resolve()));
  await closed;
}

/**
 * Starts the local IoT Core: the IoT data endpoint (aedes over mTLS with the core policy, and the
 * rules engine feeding Kinesis) and the core's client-device broker (aedes over mTLS with the SMIB
 * policy). Identity is the client certificate's CN, which must equal the MQTT client id; on the IoT
 * endpoint it must also be a registered core or a service principal (`iot.corePrincipals`).
 */
export async function startLocalIotCore(input: LocalIotCoreConfigInput): Promise<LocalIotCore> {
  const config = parseLocalIotCoreConfig(input);
  const events = new EventEmitter<LocalIotCoreEvents>();
  const counters: LocalIotCoreCounters = {
    handshakesRefused: 0,
    denied: 0,
    delivered: 0,
    failed: 0,
    errorActionFailed: 0,
  };
  const onDenied = (denial: AuthorizationDenial) => {
    counters.denied += 1;
    events.emit('denied', denial);
  };
  const onHandshakeRefused = (refusal: HandshakeRefusal) => {
    counters.handshakesRefused += 1;
    events.emit('handshakeRefused', refusal);
  };

  const kinesis = new KinesisClient({
    region: config.kinesis.region,
    ...(config.kinesis.endpoint ? { endpoint: config.kinesis.endpoint } : {}),
    ...(config.kinesis.credentials ? { credentials: config.kinesis.credentials } : {}),
    // HTTP/1.1: kinesalite does not speak HTTP/2, and IoT Core's action is plain HTTPS to Kinesis anyway.
    requestHandler: new NodeHttpHandler(),
  });
  const rules = new RulesEngine({
    rules: config.rules,
    kinesis,
    lakeDir: config.lakeDir,
    onOutcome: (outcome) => {
      counters[outcome.kind] += 1;
      events.emit('rule', outcome);
    },
  });

  const servicePrincipals = new Set(config.iot.servicePrincipals);
  const gatewayPrincipals = new Set(config.deviceBroker.gatewayPrincipals);
  const registeredCores = new Set([...config.iot.corePrincipals, ...config.deviceBroker.gatewayPrincipals]);
  const iot = await listen(
    'iot',
    config,
    config.iot.port,
    (thing) => {
      if (servicePrincipals.has(thing)) return downlinkServicePolicy;
      return registeredCores.has(thing) ? corePolicy : undefined;
    },
    onDenied,
    onHandshakeRefused,
  );
  const devices = await listen(
    'devices',
    config,
    config.deviceBroker.port,
    (thing) => (gatewayPrincipals.has(thing) ? deviceGatewayPolicy : smibPolicy),
    onDenied,
    onHandshakeRefused,
  ).catch(async (error: unknown) => {
    await shutdown(iot);
    throw error;
  });

  iot.broker.on('publish', (packet, client) => {
    // Device and data-plane messages feed rules, as in IoT Core; the broker's own `$SYS` heartbeats do not.
    if (packet.topic.startsWith('$SYS/')) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    rules.accept({ topic: packet.topic, payload, clientId: client?.id ?? '', receivedAt: Date.now() });
  });

  const dataPlane = createDataPlaneServer({
    isAllowed: (request) => isAllowed(downlinkServicePolicy, DATA_PLANE_PRINCIPAL, request),
    onDenied: (topic) =>
      onDenied({
        broker: 'iot',
        clientId: DATA_PLANE_PRINCIPAL,
        thingName: DATA_PLANE_PRINCIPAL,
        action: 'publish',
        resource: topic,
        reason: `${downlinkServicePolicy.name} does not allow publish`,
      }),
    publish: ({ topic, payload, qos, retain }) =>
      new Promise((resolve, reject) =>
        iot.broker.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
  });
  await new Promise<void>((resolve, reject) => {
    dataPlane.once('error', reject);
    dataPlane.listen(config.dataPlane.port, config.host, () => {
      dataPlane.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await Promise.all([shutdown(iot), shutdown(devices)]);
    throw error;
  });
  const dataPlanePort = (dataPlane.address() as AddressInfo).port;

  return {
    iotEndpoint: iot.endpoint,
    deviceBrokerEndpoint: devices.endpoint,
    dataPlaneEndpoint: `http://${config.host}:${dataPlanePort}`,
    events,
    counters,
    updateRevocationList(crlPem) {
      const revoked = new Set(revokedSerialNumbers(crlPem));
      let closed = 0;
      for (const listener of [iot, devices]) {
        listener.server.setSecureContext(secureContextOptions(config, crlPem));
        closed += listener.authorizer.disconnectRevoked(revoked);
      }
      return closed;
    },
    drain: () => rules.drain(),
    async close() {
      const dataPlaneClosed = new Promise<void>((resolve) => dataPlane.close(() => resolve()));
      dataPlane.closeAllConnections();
      await Promise.all([shutdown(iot), shutdown(devices), dataPlaneClosed]);
      await rules.drain();
      kinesis.destroy();
    },
  };
}
