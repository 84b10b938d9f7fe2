import {
  derivePlayerToken,
  IntakeAck,
  LOCAL_TOPICS,
  type MachineIdentity,
  type MaintenanceAlert,
  parseJsonWith,
  SCHEMA_VERSION,
  SmibAck,
  type SmibEvent,
  smibEventsTopic,
} from '@croupier/contracts';
import { createMqttConnection, UnackedEvents } from '@croupier/edge-kit';

import { mqtt } from 'aws-iot-device-sdk-v2';
import { v7 as uuidv7 } from 'uuid';
import type { ClientIdentity } from '../../../scripts/start/floor-pki.js';

/** One SMIB event the floor emitted, with what the cloud should make of it. */
export interface EmittedSlotEvent {
  readonly eventId: string;
  readonly type: SmibEvent['type'];
  readonly playerToken: string;
  /** The part of the fault it was emitted in: before, during or after. */
  readonly phase: Phase;
}

export type Phase = 'before' | 'during' | 'after';

/** Games per carded session; every session is card-in, games, card-out. */
const GAMES_PER_SESSION = 8;
const WAGER_CENTS = 125;

/** How often events due for a resend are looked for. */
const RESEND_CHECK_MS = 1_000;

/** A maintenance alert raised on the core, by device and alert id. */
export interface EmittedAlert {
  readonly deviceId: string;
  readonly alertId: string;
}

/**
 * What a floor core's producers emit, as the core sees it: SMIB events arriving on
 * `smib/{machineId}/events` of the local pub/sub, where the MQTT bridge puts them, and maintenance
 * alerts on the predictor's alert topic. Published with QoS 1 by a client that resends until the
 * broker acknowledges; SMIB events are also kept and sent again until SlotGateway acknowledges them on
 * `smib/{machineId}/acks`, as an SMIB does, and alerts until Uplink acknowledges them on
 * `croupier/local/uplink/acks`, as FailurePredictor does. Its lists of emitted events are the ground
 * truth of a fault.
 */
export class FloorPublisher {
  readonly emitted: EmittedSlotEvent[] = [];
  readonly alerts: EmittedAlert[] = [];
  readonly #connection: mqtt.MqttClientConnection;
  readonly #machines: readonly MachineIdentity[];
  readonly #key: Uint8Array;
  readonly #cardPrefix: string;
  readonly #unacked = new UnackedEvents<SmibEvent>();
  readonly #unconfirmedAlerts = new UnackedEvents<MaintenanceAlert>();
  #resendTimer: NodeJS.Timeout | undefined;
  #cards = 0;
  #closed = false;
  /** Stamped on every event emitted from now on. */
  phase: Phase = 'before';

  private constructor(
    connection: mqtt.MqttClientConnection,
    machines: readonly MachineIdentity[],
    key: Uint8Array,
    cardPrefix: string,
  ) {
    this.#connection = connection;
    this.#machines = machines;
    this.#key = key;
    this.#cardPrefix = cardPrefix;
  }

  static async connect(options: {
    readonly broker: { readonly host: string; readonly port: number };
    readonly identity: ClientIdentity;
    readonly machines: readonly MachineIdentity[];
    readonly playerTokenKey: Uint8Array;
    /** Letters that make this publisher's card numbers (so its players) its own. */
    readonly cardPrefix: string;
  }): Promise<FloorPublisher> {
    const connection = createMqttConnection(
      { ...options.broker, ...options.identity, clientId: options.identity.commonName },
      options.identity.commonName,
      { reconnectMinSec: 1, reconnectMaxSec: 2 },
    );
    await connection.connect();
    const publisher = new FloorPublisher(connection, options.machines, options.playerTokenKey, options.cardPrefix);
    await connection.subscribe('smib/+/acks', mqtt.QoS.AtLeastOnce, (_topic, payload) => {
      const ack = parseJsonWith(SmibAck, payload);
      if (ack.ok) publisher.#unacked.acknowledge(ack.value.eventIds, Date.now());
    });
    await connection.subscribe(LOCAL_TOPICS.intakeAcks, mqtt.QoS.AtLeastOnce, (_topic, payload) => {
      const ack = parseJsonWith(IntakeAck, payload);
      if (ack.ok && ack.value.stream === 'alert')
        publisher.#unconfirmedAlerts.acknowledge(ack.value.eventIds, Date.now());
    });
    publisher.#resendTimer = setInterval(() => publisher.#resendDue(), RESEND_CHECK_MS).unref();
    return publisher;
  }

  /** SMIB events sent again because SlotGateway had not acknowledged them in time. */
  get resent(): number {
    return this.#unacked.resent;
  }

  /** Alerts sent again because Uplink had not acknowledged them in time. */
  get resentAlerts(): number {
    return this.#unconfirmedAlerts.resent;
  }

  #resendDue(): void {
    const now = Date.now();
    for (const event of this.#unacked.due(now)) {
      this.#connection
        .publish(smibEventsTopic(event.machineId), JSON.stringify(event), mqtt.QoS.AtLeastOnce)
        .catch(() => {});
    }
    for (const alert of this.#unconfirmedAlerts.due(now)) {
      this.#connection.publish(LOCAL_TOPICS.alerts, JSON.stringify(alert), mqtt.QoS.AtLeastOnce).catch(() => {});
    }
  }

  /** Game-played events emitted so far. */
  get games(): number {
    return this.emitted.filter((e) => e.type === 'game_played').length;
  }

  /**
   * One carded session on every machine, its events stamped from `clockMs` on, 20 s of SMIB time
   * apart; resolves when the broker has acknowledged all of them. `clockMs` is the SMIB's clock:
   * a skewed SMIB stamps its events (and their UUIDv7 ids) with its own wrong time.
   */
  async playSessions(clockMs: number): Promise<void> {
    const publishes: Promise<unknown>[] = [];
    for (const machine of this.#machines) {
      this.#cards += 1;
      const cardNumber = `${this.#cardPrefix}${String(this.#cards).padStart(9, '0')}`;
      const playerToken = derivePlayerToken(this.#key, cardNumber);
      let t = clockMs;
      const base = () => {
        t += 20_000;
        return {
          eventId: uuidv7({ msecs: t }),
          eventTime: t,
          schemaVersion: SCHEMA_VERSION,
          machineId: machine.machineId,
        };
      };
      const cardIn: SmibEvent = { ...base(), type: 'card_in', cardNumber };
      const events: SmibEvent[] = [cardIn];
      for (let g = 0; g < GAMES_PER_SESSION; g += 1) {
        events.push({
          ...base(),
          type: 'game_played',
          // As an SMIB reports play during a carded session: with the card and its card-in.
          cardNumber,
          sessionId: cardIn.eventId,
          gameId: machine.gameId,
          paytableId: machine.paytable.paytableId,
          theoreticalHold: machine.paytable.theoreticalHold,
          denominationCents: machine.denominationCents,
          wagerCents: WAGER_CENTS,
          winCents: g % 3 === 0 ? 200 : 0,
        });
      }
      events.push({ ...base(), type: 'card_out', cardNumber, reason: 'removed' });
      for (const event of events) {
        this.emitted.push({ eventId: event.eventId, type: event.type, playerToken, phase: this.phase });
        this.#unacked.hold(event, Date.now());
        publishes.push(
          this.#connection.publish(smibEventsTopic(machine.machineId), JSON.stringify(event), mqtt.QoS.AtLeastOnce),
        );
      }
    }
    await Promise.all(publishes);
  }

  /**
   * Raises `count` maintenance alerts, as FailurePredictor does, each on a shuffler of its own (the
   * cloud keeps one open alert per device and cause); resolves once the broker acknowledged them.
   */
  async raiseAlerts(count: number, clockMs: number): Promise<void> {
    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < count; i += 1) {
      const eventTime = clockMs + i;
      const alertId = uuidv7({ msecs: eventTime });
      const deviceId = `${this.#cardPrefix}-shf-${this.alerts.length + 1}`;
      const alert: MaintenanceAlert = {
        eventId: uuidv7({ msecs: eventTime }),
        eventTime,
        schemaVersion: SCHEMA_VERSION,
        type: 'maintenance_alert',
        alertId,
        deviceId,
        state: 'raised',
        cause: 'predicted_failure',
        severity: 'warning',
        message: `${deviceId} is likely to fail within 24 h`,
        probability: 0.9,
        modelVersion: '1.0.0',
      };
      this.alerts.push({ deviceId, alertId });
      this.#unconfirmedAlerts.hold(alert, Date.now());
      publishes.push(this.#connection.publish(LOCAL_TOPICS.alerts, JSON.stringify(alert), mqtt.QoS.AtLeastOnce));
    }
    await Promise.all(publishes);
  }

  /** Disconnects; the ground truth stays readable. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#resendTimer);
    await this.#connection.disconnect().catch(() => {});
  }
}
