import type { SmibEvent } from '@croupier/contracts';
import { smibDisplayTopic, smibEventsTopic } from '@croupier/contracts';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';

/** An SMIB's client certificate and key, PEM. */
export interface SmibCredentials {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface SmibClientOptions {
  readonly machineId: string;
  readonly host: string;
  readonly port: number;
  /** The CA that signed the broker's server certificate. */
  readonly caPem: string;
  readonly credentials: SmibCredentials;
  /** Shared by every SMIB of a process: one native event-loop group and host resolver for all connections. */
  readonly client: mqtt.MqttClient;
  /** Called for every message on the machine's display topic, with its raw payload. */
  readonly onDisplay: (machineId: string, payload: ArrayBuffer) => void;
}

const KEEP_ALIVE_SECONDS = 30;

/**
 * One slot machine's interface board on the core's client-device broker: an MQTT 3.1.1 client over
 * mTLS whose client id is its machine id (the broker checks it against the certificate's CN). It
 * publishes its events with QoS 1 on `smib/{machineId}/events` and listens on `smib/{machineId}/display`.
 * A persistent session (clean session off) lets the broker keep display messages across a reconnect;
 * QoS 1 may deliver an event twice, which SlotGateway removes by eventId.
 */
export class SmibClient {
  readonly machineId: string;
  /** Times the connection dropped after it was up; the client reconnects by itself (1-30 s back-off). */
  interruptions = 0;
  /** The last connection error, kept instead of thrown: an unhandled 'error' event would end the process. */
  lastError: string | undefined;
  readonly #connection: mqtt.MqttClientConnection;
  readonly #eventsTopic: string;

  private constructor(machineId: string, connection: mqtt.MqttClientConnection) {
    this.machineId = machineId;
    this.#connection = connection;
    this.#eventsTopic = smibEventsTopic(machineId);
    connection.on('error', (e) => {
      this.lastError = e.message;
    });
    connection.on('interrupt', () => {
      this.interruptions += 1;
    });
  }

  /** Connects and subscribes to the display topic; rejects if either fails. */
  static async connect(opts: SmibClientOptions): Promise<SmibClient> {
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(
      opts.credentials.certPem,
      opts.credentials.keyPem,
    )
      .with_certificate_authority(opts.caPem)
      .with_endpoint(opts.host)
      .with_port(opts.port)
      .with_client_id(opts.machineId)
      .with_clean_session(false)
      .with_keep_alive_seconds(KEEP_ALIVE_SECONDS)
      .with_reconnect_min_sec(1)
      .with_reconnect_max_sec(30)
      .build();
    const connection = opts.client.new_connection(config);
    const smib = new SmibClient(opts.machineId, connection);
    try {
      await connection.connect();
      await connection.subscribe(smibDisplayTopic(opts.machineId), mqtt.QoS.AtLeastOnce, (_topic, payload) =>
        opts.onDisplay(opts.machineId, payload),
      );
    } catch (e) {
      await connection.disconnect().catch(() => undefined);
      throw new Error(`SMIB ${opts.machineId}: cannot connect to ${opts.host}:${opts.port}: ${(e as Error).message}`);
    }
    return smib;
  }

  /** Publishes one event with QoS 1; resolves when the broker has acknowledged it. */
  async publish(event: SmibEvent): Promise<void> {
    await this.#connection.publish(this.#eventsTopic, JSON.stringify(event), mqtt.QoS.AtLeastOnce);
  }

  /** Disconnects cleanly and frees the native connection. */
  async close(): Promise<void> {
    await this.#connection.disconnect();
  }
}
