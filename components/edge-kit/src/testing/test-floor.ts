import { LocalConfigurationSource } from '../configuration/local-configuration-source.js';
import type { Logger } from '../logger.js';
import { MqttTransport } from '../transport/mqtt-transport.js';
import { createTestPki, type TestPki } from './test-pki.js';
import { startTlsBroker, type TlsBroker } from './tls-broker.js';

/** Two real brokers over mutual TLS, as on the local floor: local pub/sub and the IoT Core stand-in. */
export interface TestFloor {
  readonly pki: TestPki;
  readonly local: TlsBroker;
  readonly upstream: TlsBroker;
  /**
   * A transport for one component on core `thingName`. Reconnects within a second so link-loss tests
   * stay short.
   */
  transport(options: {
    readonly componentName: string;
    readonly thingName: string;
    readonly configuration: unknown;
    readonly configurationPath?: string;
    readonly logger: Logger;
  }): Promise<MqttTransport>;
  close(): Promise<void>;
}

/** Starts a test floor with its PKI under `directory` (a mkdtemp folder the caller removes). */
export async function startTestFloor(directory: string): Promise<TestFloor> {
  const pki = await createTestPki(directory);
  const local = await startTlsBroker({ ca: pki.ca, server: pki.server });
  const upstream = await startTlsBroker({ ca: pki.ca, server: pki.server });
  const transports: MqttTransport[] = [];
  return {
    pki,
    local,
    upstream,
    async transport(options) {
      const identity = await pki.client(`${options.thingName}-${options.componentName}`);
      // A client id of its own per transport, so two instances in one test never take over each other's session.
      const clientId = `${options.thingName}-${options.componentName}-${transports.length}`;
      const endpoint = (broker: TlsBroker) => ({
        clientId,
        host: broker.host,
        port: broker.port,
        caPath: pki.caPath,
        certPath: identity.certPath,
        keyPath: identity.keyPath,
      });
      const transport = new MqttTransport({
        componentName: options.componentName,
        thingName: options.thingName,
        local: endpoint(local),
        upstream: endpoint(upstream),
        configuration: new LocalConfigurationSource(options.configuration, options.configurationPath, options.logger),
        logger: options.logger,
        tuning: { reconnectMinSec: 1, reconnectMaxSec: 1 },
      });
      transports.push(transport);
      return transport;
    },
    async close() {
      await Promise.allSettled(transports.map((t) => t.close()));
      await local.close();
      await upstream.close();
    },
  };
}
