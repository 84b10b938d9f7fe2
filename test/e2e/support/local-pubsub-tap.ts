import { readFile } from 'node:fs/promises';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import type { ClientIdentity } from '../../../scripts/start/floor-pki.js';

/** One message seen on a topic, with the event fields the checks use. */
export interface TappedMessage {
  readonly topic: string;
  /** Wall clock when the tap received it. */
  readonly receivedAt: number;
  readonly event: {
    readonly eventId?: string;
    readonly eventTime?: number;
    readonly type?: string;
    readonly deviceId?: string;
    readonly machineId?: string;
    readonly [field: string]: unknown;
  };
}

/** A subscriber that records what is published on a broker, from the moment it subscribed. */
export interface Tap {
  readonly messages: readonly TappedMessage[];
  /** Wall clock when every subscription was acknowledged: messages from then on are all recorded. */
  readonly subscribedAt: number;
  close(): Promise<void>;
}

/**
 * Subscribes to `topics` on an MQTT 3.1.1 broker over mutual TLS with `identity` (client id = its
 * CN, as the local brokers require) and records every JSON message: the independent witness of what
 * the edge components published, so end-to-end checks do not take the pipeline's word for it.
 */
export async function tapBroker(options: {
  readonly host: string;
  readonly port: number;
  readonly identity: ClientIdentity;
  readonly topics: readonly string[];
}): Promise<Tap> {
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(options.identity.caPath, 'utf8'),
    readFile(options.identity.certPath, 'utf8'),
    readFile(options.identity.keyPath, 'utf8'),
  ]);
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(certPem, keyPem)
    .with_certificate_authority(caPem)
    .with_endpoint(options.host)
    .with_port(options.port)
    .with_client_id(options.identity.commonName)
    .with_clean_session(true)
    .with_keep_alive_seconds(30)
    .build();
  const connection = new mqtt.MqttClient().new_connection(config);
  await connection.connect();
  const messages: TappedMessage[] = [];
  const decoder = new TextDecoder();
  try {
    for (const topic of options.topics) {
      await connection.subscribe(topic, mqtt.QoS.AtLeastOnce, (received, payload) => {
        messages.push({
          topic: received,
          receivedAt: Date.now(),
          event: JSON.parse(decoder.decode(payload)) as TappedMessage['event'],
        });
      });
    }
  } catch (error) {
    await connection.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    messages,
    subscribedAt: Date.now(),
    close: () => connection.disconnect(),
  };
}
