import { readFile } from 'node:fs/promises';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import type { BrokerConnection } from './component-process.js';

/** One topic mapping of the bridge, as `aws.greengrass.clientdevices.mqtt.Bridge` configures it. */
export interface BridgeMapping {
  readonly topic: string;
  readonly source: 'LocalMqtt' | 'Pubsub';
}

/**
 * The mappings recipes/floor-core.deployment.yaml gives the real bridge: SMIB events from the
 * client-device broker to local pub/sub, offers on displays and SlotGateway's acknowledgements back.
 */
export const SMIB_BRIDGE_MAPPINGS: readonly BridgeMapping[] = [
  { topic: 'smib/+/events', source: 'LocalMqtt' },
  { topic: 'smib/+/display', source: 'Pubsub' },
  { topic: 'smib/+/acks', source: 'Pubsub' },
];

/** A running bridge and what it relayed, per mapping topic. */
export interface SmibBridge {
  readonly relayed: ReadonlyMap<string, number>;
  /** Messages the target broker did not accept (the source's QoS 1 redelivery does not apply here). */
  readonly failed: number;
  close(): Promise<void>;
}

const KEEP_ALIVE_SECONDS = 30;

async function connect(client: mqtt.MqttClient, broker: BrokerConnection): Promise<mqtt.MqttClientConnection> {
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(broker.identity.caPath, 'utf8'),
    readFile(broker.identity.certPath, 'utf8'),
    readFile(broker.identity.keyPath, 'utf8'),
  ]);
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(certPem, keyPem)
    .with_certificate_authority(caPem)
    .with_endpoint(broker.host)
    .with_port(broker.port)
    .with_client_id(broker.identity.commonName)
    .with_clean_session(true)
    .with_keep_alive_seconds(KEEP_ALIVE_SECONDS)
    .with_reconnect_min_sec(1)
    .with_reconnect_max_sec(10)
    .build();
  const connection = client.new_connection(config);
  await connection.connect();
  return connection;
}

/**
 * The local floor's stand-in for Greengrass's MQTT bridge: one mTLS client on the client-device
 * broker (as a gateway principal) and one on the core's local pub/sub, relaying each mapping's
 * messages with QoS 1 and their topic unchanged. Topics of the two directions are disjoint, so
 * nothing loops.
 */
export async function startSmibBridge(options: {
  readonly deviceBroker: BrokerConnection;
  readonly localPubSub: BrokerConnection;
  readonly mappings?: readonly BridgeMapping[];
  readonly onError: (message: string) => void;
}): Promise<SmibBridge> {
  const client = new mqtt.MqttClient();
  const relayed = new Map<string, number>();
  let failed = 0;
  const connections: mqtt.MqttClientConnection[] = [];
  const close = async () => {
    await Promise.all(connections.map((c) => c.disconnect().catch(() => undefined)));
  };
  try {
    const devices = await connect(client, options.deviceBroker);
    connections.push(devices);
    const pubsub = await connect(client, options.localPubSub);
    connections.push(pubsub);
    for (const connection of connections) connection.on('error', (error) => options.onError(error.message));
    for (const mapping of options.mappings ?? SMIB_BRIDGE_MAPPINGS) {
      const [from, to] = mapping.source === 'LocalMqtt' ? [devices, pubsub] : [pubsub, devices];
      relayed.set(mapping.topic, 0);
      await from.subscribe(mapping.topic, mqtt.QoS.AtLeastOnce, (topic, payload) => {
        to.publish(topic, payload, mqtt.QoS.AtLeastOnce).then(
          () => relayed.set(mapping.topic, (relayed.get(mapping.topic) ?? 0) + 1),
          (error: unknown) => {
            failed += 1;
            options.onError(`relaying ${topic} failed: ${String(error)}`);
          },
        );
      });
    }
  } catch (error) {
    await close();
    throw new Error(`MQTT bridge: ${(error as Error).message}`);
  }
  return {
    relayed,
    get failed() {
      return failed;
    },
    close,
  };
}
