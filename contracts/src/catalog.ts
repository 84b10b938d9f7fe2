import type { z } from 'zod';
import { EnvelopeHeader } from './envelope.js';
import { CoreHealth } from './health.js';
import { Offer, OfferDownlink, OfferResponse, PlayerRating, PlayerSession } from './player.js';
import { FailurePrediction, MaintenanceAlert } from './prediction.js';
import { ShufflerMaintenanceRecord, ShufflerTelemetry } from './shuffler.js';
import { DisplayMessage, MachineIdentity, SlotEvent, SmibAck, SmibEvent } from './slot.js';
import { AlertStreamEvent, IntakeAck } from './streams.js';

/** One published message type: its schema and where it travels. Drives JSON Schema and reference docs. */
export interface CatalogEntry {
  readonly name: string;
  readonly schema: z.ZodType;
  readonly travels: string;
  readonly producer: string;
  readonly consumers: string;
}

/** Every schema that crosses a process boundary, in the order the reference documents them. */
export const catalog: readonly CatalogEntry[] = [
  {
    name: 'SmibEvent',
    schema: SmibEvent,
    travels:
      'MQTT `smib/{machineId}/events` on the core client-device broker, QoS 1, UTF-8 JSON, one event per message',
    producer: 'SMIB (slot machine interface board) firmware',
    consumers: 'com.croupier.SlotGateway',
  },
  {
    name: 'DisplayMessage',
    schema: DisplayMessage,
    travels: 'MQTT `smib/{machineId}/display` on the core client-device broker, QoS 1, UTF-8 JSON',
    producer: 'com.croupier.SlotGateway',
    consumers: 'SMIB firmware (shows it on the machine display)',
  },
  {
    name: 'SmibAck',
    schema: SmibAck,
    travels: 'MQTT `smib/{machineId}/acks` on the core client-device broker, QoS 1, UTF-8 JSON',
    producer: 'com.croupier.SlotGateway',
    consumers: 'SMIB firmware (stops resending the events acknowledged)',
  },
  {
    name: 'MachineIdentity',
    schema: MachineIdentity,
    travels: 'SlotGateway configuration (machine metadata)',
    producer: 'Casino slot operations',
    consumers: 'com.croupier.SlotGateway',
  },
  {
    name: 'SlotEvent',
    schema: SlotEvent,
    travels: 'Uplink envelope, stream `slot`, topic `croupier/{property}/{core}/slot`',
    producer: 'com.croupier.SlotGateway via com.croupier.Uplink',
    consumers: 'Kinesis `slot-events`: slot processor, lake',
  },
  {
    name: 'ShufflerTelemetry',
    schema: ShufflerTelemetry,
    travels: 'Uplink envelope, stream `shuffler`, topic `croupier/{property}/{core}/shuffler`',
    producer: 'com.croupier.ShufflerMonitor',
    consumers: 'com.croupier.FailurePredictor; Kinesis `shuffler-telemetry`: shuffler processor, lake',
  },
  {
    name: 'AlertStreamEvent',
    schema: AlertStreamEvent,
    travels: 'Uplink envelope, stream `alert`, topic `croupier/{property}/{core}/alert`',
    producer: 'com.croupier.FailurePredictor',
    consumers: 'Kinesis `shuffler-telemetry`: shuffler processor',
  },
  {
    name: 'FailurePrediction',
    schema: FailurePrediction,
    travels: 'Part of AlertStreamEvent',
    producer: 'com.croupier.FailurePredictor',
    consumers: 'shuffler processor, dashboard',
  },
  {
    name: 'MaintenanceAlert',
    schema: MaintenanceAlert,
    travels: 'Part of AlertStreamEvent; SNS maintenance topic',
    producer: 'com.croupier.FailurePredictor, shuffler processor, floor API (acknowledge)',
    consumers: 'technicians (SNS), dashboard',
  },
  {
    name: 'IntakeAck',
    schema: IntakeAck,
    travels: 'Local pub/sub `croupier/local/uplink/acks` on the core, QoS 1, UTF-8 JSON',
    producer: 'com.croupier.Uplink',
    consumers:
      'com.croupier.SlotGateway (stops resending the slot events acknowledged), com.croupier.FailurePredictor (the predictions and alerts)',
  },
  {
    name: 'CoreHealth',
    schema: CoreHealth,
    travels: 'Uplink envelope, stream `health`, topic `croupier/{property}/{core}/health`',
    producer: 'every Croupier component on a core',
    consumers: 'CloudWatch alarms and dashboard (spool age), shuffler processor',
  },
  {
    name: 'ShufflerMaintenanceRecord',
    schema: ShufflerMaintenanceRecord,
    travels: 'Lake stream `service`',
    producer: 'technicians (floor API), history generator',
    consumers: 'training dataset builder',
  },
  {
    name: 'EnvelopeHeader',
    schema: EnvelopeHeader,
    travels: 'Uncompressed header of every uplink envelope',
    producer: 'com.croupier.Uplink',
    consumers: 'Kinesis consumers, lake delivery',
  },
  {
    name: 'OfferDownlink',
    schema: OfferDownlink,
    travels: 'MQTT `croupier/{property}/{core}/offers`, QoS 1, UTF-8 JSON',
    producer: 'offer engine (cloud)',
    consumers: 'com.croupier.SlotGateway',
  },
  {
    name: 'Offer',
    schema: Offer,
    travels: 'Floor API, DynamoDB offers table',
    producer: 'offer engine',
    consumers: 'floor API clients, dashboard',
  },
  {
    name: 'OfferResponse',
    schema: OfferResponse,
    travels: 'Floor API',
    producer: 'slot processor (from offer_response events), floor API',
    consumers: 'offer engine, reporting',
  },
  {
    name: 'PlayerSession',
    schema: PlayerSession,
    travels: 'Floor API, DynamoDB sessions table',
    producer: 'slot processor',
    consumers: 'floor API clients, dashboard',
  },
  {
    name: 'PlayerRating',
    schema: PlayerRating,
    travels: 'Floor API, DynamoDB players table',
    producer: 'slot processor',
    consumers: 'offer engine, floor API clients, dashboard',
  },
];
