import type { ProcessorsBenchFigures } from '../../cloud/bench/processors.js';
import type { UplinkBenchFigures } from '../../components/uplink/bench/uplink.js';
import type { CostInputs, StreamConsumerInput } from './cost-model.js';
import { eventsPerCorePerSecond, type ReferenceFloor } from './reference-floor.js';
import type { SlotDeployment } from './slot-deployment.js';

/** Events per API Gateway request in AWS's game analytics pipeline (its batch limit). */
export const GAME_ANALYTICS_BATCH = 100;

const IOT_UNIT_BYTES = 5 * 1024;
const KINESIS_UNIT_BYTES = 25 * 1024;
const KINESIS_SHARD_RECORDS_PER_SECOND = 1_000;
const KINESIS_SHARD_BYTES_PER_SECOND = 1024 * 1024;

/** One set of cost-model inputs and how its envelope figures were obtained. */
export interface CostScenario {
  readonly id: 'reference' | 'busy';
  readonly title: string;
  /** How full Uplink's envelopes are, and where that figure comes from. */
  readonly envelope: string;
  readonly inputs: CostInputs;
}

/** Events Uplink puts in one envelope on the reference floor: what arrives within its batching delay. */
export function referenceEnvelopeEvents(deployment: SlotDeployment, floor: ReferenceFloor): number {
  return Math.max(1, Math.floor((eventsPerCorePerSecond(floor) * deployment.uplinkMaxDelayMs) / 1000));
}

function handlerMsPerEvent(processors: ProcessorsBenchFigures, consumerId: string): number {
  const rates = consumerId === 'SlotKpiWindow' ? processors.kpiWindow : processors.slot;
  return (rates.seconds * 1000) / processors.slotEvents;
}

/**
 * Cost-model inputs from one run's measurements and the deployed definitions, at two envelope fills:
 * the reference floor's traffic (envelopes close on Uplink's batching delay) and a busy core
 * (envelopes as full as the Uplink end-to-end benchmark made them).
 */
export function costScenarios(
  uplink: UplinkBenchFigures,
  processors: ProcessorsBenchFigures,
  deployment: SlotDeployment,
  floor: ReferenceFloor,
): CostScenario[] {
  const e2e = uplink.endToEnd;
  const saturatedEventsPerEnvelope = uplink.events / e2e.envelopes;
  const topicBytes = Buffer.byteLength(floor.slotTopic);
  const eventsPerSecond = floor.slotEventsPerMonth / (floor.daysPerMonth * 86_400);
  const writeRequestUnitsPerEvent = processors.writeRequestUnitsPer1000Events / 1000;
  const slotMs = handlerMsPerEvent(processors, 'SlotProcessor');
  const slotMemory = deployment.consumers.find((c) => c.id === 'SlotProcessor')?.memoryMb ?? 1024;
  const eventBytes = Math.ceil(uplink.meanEventJsonBytes);
  const peakEventsPerSecond = eventsPerSecond * floor.peakToAverage;
  const common = {
    events: 1_000_000,
    slotEventsPerMonth: floor.slotEventsPerMonth,
    hoursPerMonth: floor.hoursPerMonth,
    perEventApi: {
      memoryMb: slotMemory,
      billedMsPerInvocation: Math.max(1, Math.ceil(slotMs)),
      writeRequestUnitsPerEvent,
    },
    batchedKinesis: {
      eventsPerRequest: GAME_ANALYTICS_BATCH,
      eventBytes,
      shards: Math.max(
        1,
        Math.ceil(peakEventsPerSecond / KINESIS_SHARD_RECORDS_PER_SECOND),
        Math.ceil((peakEventsPerSecond * eventBytes) / KINESIS_SHARD_BYTES_PER_SECOND),
      ),
    },
  };
  const croupierCommon = {
    rulesPerEnvelope: deployment.rulesPerEnvelope,
    actionsPerEnvelope: deployment.actionsPerEnvelope,
    shards: deployment.shards,
    extendedRetention: deployment.retentionHours > 24,
    writeRequestUnitsPerEvent,
  };
  const consumers = (envelopesPerEvent: number, saturated: boolean): StreamConsumerInput[] =>
    deployment.consumers.map((consumer) => {
      const recordsPerShardWindow =
        ((eventsPerSecond * envelopesPerEvent) / deployment.shards) * consumer.batchingWindowSeconds;
      return {
        id: consumer.id,
        memoryMb: consumer.memoryMb,
        recordsPerInvocation: saturated
          ? consumer.batchSize
          : Math.min(consumer.batchSize, Math.max(1, recordsPerShardWindow)),
        msPerEvent: handlerMsPerEvent(processors, consumer.id),
      };
    });

  const wanted = referenceEnvelopeEvents(deployment, floor);
  const sample = uplink.samples.find((s) => s.events === wanted);
  const referenceEnvelope =
    sample && wanted < saturatedEventsPerEnvelope
      ? {
          text: `${wanted} events (${(eventsPerCorePerSecond(floor)).toFixed(1)} events/s per core × ${deployment.uplinkMaxDelayMs} ms batching delay), ${sample.bytes} B measured for an envelope of ${wanted} benchmark events`,
          envelopesPerEvent: 1 / wanted,
          iotUnitsPerEvent: Math.ceil((sample.bytes + topicBytes) / IOT_UNIT_BYTES) / wanted,
          kinesisUnitsPerEvent: Math.ceil(sample.bytes / KINESIS_UNIT_BYTES) / wanted,
          firehoseBilledBytesPerEvent: (Math.ceil(sample.bytes / IOT_UNIT_BYTES) * IOT_UNIT_BYTES) / wanted,
        }
      : undefined;
  const saturatedEnvelope = {
    text: `${saturatedEventsPerEnvelope.toFixed(0)} events and ${(e2e.wireBytesPerEvent * saturatedEventsPerEnvelope).toFixed(0)} B per envelope on average, measured end to end through Uplink (envelopes close at the ${deployment.uplinkBudgetBytes} B budget, or after the benchmark's 200 ms batching delay when the publisher is slower)`,
    envelopesPerEvent: 1 / saturatedEventsPerEnvelope,
    iotUnitsPerEvent: e2e.meteredUnitsPer1000Events / 1000,
    kinesisUnitsPerEvent: e2e.kinesisUnitsPer1000Events / 1000,
    firehoseBilledBytesPerEvent: e2e.firehoseBilledBytesPerEvent,
  };
  const reference = referenceEnvelope ?? saturatedEnvelope;
  const scenario = (
    id: CostScenario['id'],
    title: string,
    envelope: typeof saturatedEnvelope,
    saturated: boolean,
  ): CostScenario => ({
    id,
    title,
    envelope: envelope.text,
    inputs: {
      ...common,
      croupier: {
        ...croupierCommon,
        envelopesPerEvent: envelope.envelopesPerEvent,
        iotUnitsPerEvent: envelope.iotUnitsPerEvent,
        kinesisUnitsPerEvent: envelope.kinesisUnitsPerEvent,
        firehoseBilledBytesPerEvent: envelope.firehoseBilledBytesPerEvent,
        consumers: consumers(envelope.envelopesPerEvent, saturated),
      },
    },
  });
  return [
    scenario('reference', 'Reference floor (2,000 machines, 10 slot cores)', reference, false),
    scenario(
      'busy',
      'Busy cores (envelopes as the Uplink benchmark filled them, full Lambda batches)',
      saturatedEnvelope,
      true,
    ),
  ];
}
