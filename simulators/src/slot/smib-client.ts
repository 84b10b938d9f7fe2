import type { SmibEvent } from '@croupier/contracts';
import { parseJsonWith, SmibAck, smibAcksTopic, smibDisplayTopic, smibEventsTopic } from '@croupier/contracts';
import { DEFAULT_RESEND_POLICY, type ResendPolicy, UnackedEvents } from '@croupier/edge-kit';
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
  /** When events the core has not acknowledged are sent again. */
  readonly resend?: ResendPolicy;
}

const KEEP_ALIVE_SECONDS = 30;
/** How often the events due for a resend are looked for. */
const RESEND_CHECK_MS = 1_000;

/**
 * One slot machine's interface board on the core's client-device broker: an MQTT 3.1.1 client over
 * mTLS whose client id is its machine id (the broker checks it against the certificate's CN). It
 * publishes its events with QoS 1 on `smib/{machineId}/events` and listens on `smib/{machineId}/display`.
 * A persistent session (clean session off) lets the broker keep display messages across a reconnect.
 *
 * Every event is kept until SlotGateway acknowledges it on `smib/{machineId}/acks`, once it is durable
 * on the core, and sent again with backoff until then: the broker's PUBACK only says the broker has
 * it, and the bridge, local pub/sub and the gateway's own MQTT client each acknowledge on receipt. A
 * resend, like QoS 1, may deliver an event twice, which SlotGateway removes by eventId.
 */
export class SmibClient {
  readonly machineId: string;
  /** Times the connection dropped after it was up; the client reconnects by itself (1-30 s back-off). */
  interruptions = 0;
  /** The last connection or resend error, kept instead of thrown: an unhandled 'error' event would end the process. */
  lastError: string | undefined;
  /** Acknowledgements that did not parse as a {@link SmibAck} for this machine. */
  refusedAcks = 0;
  readonly #connection: mqtt.MqttClientConnection;
  readonly #eventsTopic: string;
  readonly #unacked: UnackedEvents<SmibEvent>;
  #resendTimer: NodeJS.Timeout | undefined;

  private constructor(machineId: string, connection: mqtt.MqttClientConnection, resend: ResendPolicy) {
    this.machineId = machineId;
    this.#connection = connection;
    this.#eventsTopic = smibEventsTopic(machineId);
    this.#unacked = new UnackedEvents(resend);
    connection.on('error', (e) => {
      this.lastError = e.message;
    });
    connection.on('interrupt', () => {
      this.interruptions += 1;
    });
  }

  /** Events published and not yet acknowledged by the core. */
  get unacknowledged(): number {
    return this.#unacked.size;
  }

  /** Events sent again because the core had not acknowledged them in time. */
  get resent(): number {
    return this.#unacked.resent;
  }

  /** Events given up unacknowledged because too many were held. */
  get droppedUnacknowledged(): number {
    return this.#unacked.dropped;
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
    const smib = new SmibClient(opts.machineId, connection, opts.resend ?? DEFAULT_RESEND_POLICY);
    try {
      await connection.connect();
      await connection.subscribe(smibDisplayTopic(opts.machineId), mqtt.QoS.AtLeastOnce, (_topic, payload) =>
        opts.onDisplay(opts.machineId, payload),
      );
      await connection.subscribe(smibAcksTopic(opts.machineId), mqtt.QoS.AtLeastOnce, (_topic, payload) =>
        smib.#onAck(payload),
      );
      smib.#resendTimer = setInterval(() => smib.#resendDue(), RESEND_CHECK_MS).unref();
    } catch (e) {
      await connection.disconnect().catch(() => undefined);
      throw new Error(`SMIB ${opts.machineId}: cannot connect to ${opts.host}:${opts.port}: ${(e as Error).message}`);
    }
    return smib;
  }

  /**
   * Publishes one event with QoS 1 and keeps it until the core acknowledges it; resolves when the
   * broker has acknowledged the publish.
   */
  async publish(event: SmibEvent): Promise<void> {
    this.#unacked.hold(event, Date.now());
    await this.#connection.publish(this.#eventsTopic, JSON.stringify(event), mqtt.QoS.AtLeastOnce);
  }

  /** Stops resending, disconnects cleanly and frees the native connection. */
  async close(): Promise<void> {
    clearInterval(this.#resendTimer);
    await this.#connection.disconnect();
  }

  #onAck(payload: ArrayBuffer): void {
    const ack = parseJsonWith(SmibAck, payload);
    if (!ack.ok || ack.value.machineId !== this.machineId) {
      this.refusedAcks += 1;
      return;
    }
    this.#unacked.acknowledge(ack.value.eventIds, Date.now());
  }

  #resendDue(): void {
    for (const event of this.#unacked.due(Date.now())) {
      this.#connection.publish(this.#eventsTopic, JSON.stringify(event), mqtt.QoS.AtLeastOnce).catch((e: unknown) => {
        this.lastError = `resend of ${event.eventId} failed: ${String(e)}`;
      });
    }
  }
}
