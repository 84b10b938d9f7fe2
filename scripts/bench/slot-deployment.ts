import { streamById } from '@croupier/cloud/definitions/streams';
import { topicRules } from '@croupier/cloud/definitions/topic-rules';
import { PROCESSORS } from '@croupier/cloud/infra/stacks/processing-stack';
import { matchesTopicFilter } from '@croupier/contracts';
import { envelopeBudget, UplinkConfiguration } from '@croupier/uplink';

/** A Lambda function the CDK app attaches to the slot stream. */
export interface SlotConsumer {
  readonly id: string;
  readonly memoryMb: number;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
}

/** What the deployed system does with a slot envelope, read from the same definitions the CDK app deploys. */
export interface SlotDeployment {
  readonly shards: number;
  readonly retentionHours: number;
  readonly rulesPerEnvelope: number;
  readonly actionsPerEnvelope: number;
  readonly consumers: readonly SlotConsumer[];
  /** Uplink's defaults: the longest an event waits for its envelope, and the envelope's byte budget. */
  readonly uplinkMaxDelayMs: number;
  readonly uplinkBudgetBytes: number;
}

/** The StreamProcessor construct's memory when a declaration names none. */
const STREAM_PROCESSOR_DEFAULT_MEMORY_MB = 512;

/** Reads the slot path's deployment from the shared definitions and Uplink's recipe defaults. */
export function slotDeployment(slotTopic: string): SlotDeployment {
  const stream = streamById('slotEvents');
  const matching = topicRules.filter((rule) => {
    const from = /FROM\s+'([^']+)'/i.exec(rule.sql)?.[1];
    return from !== undefined && matchesTopicFilter(from, slotTopic);
  });
  const uplink = UplinkConfiguration.parse({ property: 'reference' });
  return {
    shards: stream.shardCount,
    retentionHours: stream.retentionHours,
    rulesPerEnvelope: matching.length,
    // Each rule definition carries exactly one action.
    actionsPerEnvelope: matching.length,
    consumers: PROCESSORS.filter((p) => p.stream === 'slotEvents').map((p) => ({
      id: p.id,
      memoryMb: p.memorySize ?? STREAM_PROCESSOR_DEFAULT_MEMORY_MB,
      batchSize: p.read.batchSize,
      batchingWindowSeconds: p.read.maxBatchingWindow.toSeconds(),
    })),
    uplinkMaxDelayMs: uplink.envelope.maxDelayMs,
    uplinkBudgetBytes: envelopeBudget(uplink),
  };
}
