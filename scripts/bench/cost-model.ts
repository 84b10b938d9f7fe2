import { charge, type PriceList, type PriceName } from './prices.js';

/** Where a line item sits on the path: getting events into AWS, computing on them, or keeping state. */
export type CostCategory = 'ingest' | 'compute' | 'state';

/** A Lambda function reading the slot stream. */
export interface StreamConsumerInput {
  readonly id: string;
  readonly memoryMb: number;
  /** Kinesis records (envelopes) per invocation. */
  readonly recordsPerInvocation: number;
  /** Handler time per slot event. */
  readonly msPerEvent: number;
}

/** Croupier's path, per slot event, from measured envelope figures and the deployed configuration. */
export interface CroupierPathInput {
  /** Uplink envelopes (MQTT messages, Kinesis records) per event. */
  readonly envelopesPerEvent: number;
  /** IoT Core metered 5 KB units (payload and topic) per event. */
  readonly iotUnitsPerEvent: number;
  /** Rules matching a slot envelope's topic, and actions those rules run, per envelope. */
  readonly rulesPerEnvelope: number;
  readonly actionsPerEnvelope: number;
  readonly kinesisUnitsPerEvent: number;
  /** Firehose ingestion bytes per event, each record rounded up to 5 KB. */
  readonly firehoseBilledBytesPerEvent: number;
  readonly shards: number;
  readonly extendedRetention: boolean;
  readonly consumers: readonly StreamConsumerInput[];
  readonly writeRequestUnitsPerEvent: number;
}

/** The casino reference architecture: every event its own API Gateway request and Lambda invocation. */
export interface PerEventApiPathInput {
  readonly memoryMb: number;
  /** Billed duration of one invocation (Lambda rounds up to 1 ms). */
  readonly billedMsPerInvocation: number;
  readonly writeRequestUnitsPerEvent: number;
}

/** The game analytics pipeline: batches of events per API Gateway request, one Kinesis record per event, Firehose to S3. */
export interface BatchedKinesisPathInput {
  readonly eventsPerRequest: number;
  readonly eventBytes: number;
  readonly shards: number;
}

/** Everything the cost model needs; figures come from one benchmark run and the deployed definitions. */
export interface CostInputs {
  /** Slot events priced (one million). */
  readonly events: number;
  /** Traffic that carries the fixed shard-hour cost: slot events in a month of `hoursPerMonth` hours. */
  readonly slotEventsPerMonth: number;
  readonly hoursPerMonth: number;
  readonly croupier: CroupierPathInput;
  readonly perEventApi: PerEventApiPathInput;
  readonly batchedKinesis: BatchedKinesisPathInput;
}

/** One line of a path's bill. */
export interface CostLine {
  readonly item: string;
  readonly category: CostCategory;
  readonly quantity: number;
  readonly price: PriceName;
  readonly usd: number;
}

/** One path's bill for {@link CostInputs.events} slot events. */
export interface PathCost {
  readonly id: 'croupier' | 'perEventApi' | 'batchedKinesis';
  readonly title: string;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  /** Subtotal by category, for comparing like with like. */
  readonly byCategory: Readonly<Record<CostCategory, number>>;
}

const KINESIS_UNIT_BYTES = 25 * 1024;
const FIREHOSE_ROUNDING_BYTES = 5 * 1024;

function path(id: PathCost['id'], title: string, prices: PriceList, items: Omit<CostLine, 'usd'>[]): PathCost {
  const lines = items.map((line) => ({ ...line, usd: charge(prices[line.price], line.quantity) }));
  const byCategory: Record<CostCategory, number> = { ingest: 0, compute: 0, state: 0 };
  for (const line of lines) byCategory[line.category] += line.usd;
  return { id, title, lines, totalUsd: lines.reduce((sum, line) => sum + line.usd, 0), byCategory };
}

/** Shard-hours a month's traffic carries per priced event: the fixed cost spread over the events. */
function shardHours(inputs: CostInputs, shards: number): number {
  return (shards * inputs.hoursPerMonth * inputs.events) / inputs.slotEventsPerMonth;
}

/** Croupier: IoT Core messages → rules → Kinesis → Lambda stream consumers → DynamoDB, and Firehose to the lake. */
export function croupierPathCost(inputs: CostInputs, prices: PriceList): PathCost {
  const c = inputs.croupier;
  const n = inputs.events;
  const envelopes = c.envelopesPerEvent * n;
  const units = c.iotUnitsPerEvent * n;
  const consumers = c.consumers.flatMap((consumer): Omit<CostLine, 'usd'>[] => [
    {
      item: `Lambda ${consumer.id}: invocations (${consumer.recordsPerInvocation.toFixed(1)} records each)`,
      category: 'compute',
      quantity: envelopes / consumer.recordsPerInvocation,
      price: 'lambdaRequests',
    },
    {
      item: `Lambda ${consumer.id}: GB-s (${consumer.msPerEvent.toFixed(3)} ms per event × ${consumer.memoryMb} MB)`,
      category: 'compute',
      quantity: ((n * consumer.msPerEvent) / 1000) * (consumer.memoryMb / 1024),
      price: 'lambdaGbSecondArm',
    },
  ]);
  return path('croupier', 'Croupier (Uplink envelopes through IoT Core)', prices, [
    { item: 'IoT Core messages (5 KB units)', category: 'ingest', quantity: units, price: 'iotMessages' },
    {
      item: 'IoT rules triggered',
      category: 'ingest',
      quantity: units * c.rulesPerEnvelope,
      price: 'iotRulesTriggered',
    },
    {
      item: 'IoT rule actions',
      category: 'ingest',
      quantity: units * c.actionsPerEnvelope,
      price: 'iotActionsExecuted',
    },
    {
      item: 'Kinesis PUT payload units',
      category: 'ingest',
      quantity: c.kinesisUnitsPerEvent * n,
      price: 'kinesisPutPayloadUnits',
    },
    {
      item: `Kinesis shard-hours (${c.shards} shard${c.shards === 1 ? '' : 's'})`,
      category: 'ingest',
      quantity: shardHours(inputs, c.shards),
      price: 'kinesisShardHour',
    },
    ...(c.extendedRetention
      ? [
          {
            item: 'Kinesis extended retention',
            category: 'ingest' as const,
            quantity: shardHours(inputs, c.shards),
            price: 'kinesisExtendedRetention' as const,
          },
        ]
      : []),
    {
      item: 'Firehose ingestion to the lake',
      category: 'ingest',
      quantity: c.firehoseBilledBytesPerEvent * n,
      price: 'firehoseIngestion',
    },
    ...consumers,
    {
      item: 'DynamoDB write request units',
      category: 'state',
      quantity: c.writeRequestUnitsPerEvent * n,
      price: 'dynamoDbWriteRequestUnits',
    },
  ]);
}

/** The casino reference architecture: API Gateway REST → Lambda → DynamoDB, once per event. */
export function perEventApiPathCost(inputs: CostInputs, prices: PriceList): PathCost {
  const p = inputs.perEventApi;
  const n = inputs.events;
  return path('perEventApi', 'Per-event API Gateway (casino reference architecture)', prices, [
    { item: 'API Gateway REST requests', category: 'ingest', quantity: n, price: 'apiGatewayRestRequests' },
    { item: 'Lambda invocations', category: 'compute', quantity: n, price: 'lambdaRequests' },
    {
      item: `Lambda GB-s (${p.billedMsPerInvocation} ms billed × ${p.memoryMb} MB)`,
      category: 'compute',
      quantity: ((n * p.billedMsPerInvocation) / 1000) * (p.memoryMb / 1024),
      price: 'lambdaGbSecondArm',
    },
    {
      item: 'DynamoDB write request units',
      category: 'state',
      quantity: p.writeRequestUnitsPerEvent * n,
      price: 'dynamoDbWriteRequestUnits',
    },
  ]);
}

/** AWS's game analytics pipeline: API Gateway per batch → Kinesis (a record per event) → Firehose → S3. */
export function batchedKinesisPathCost(inputs: CostInputs, prices: PriceList): PathCost {
  const b = inputs.batchedKinesis;
  const n = inputs.events;
  return path('batchedKinesis', `Batches of ${b.eventsPerRequest} to Kinesis (game analytics pipeline)`, prices, [
    {
      item: 'API Gateway REST requests',
      category: 'ingest',
      quantity: n / b.eventsPerRequest,
      price: 'apiGatewayRestRequests',
    },
    {
      item: 'Kinesis PUT payload units',
      category: 'ingest',
      quantity: n * Math.ceil(b.eventBytes / KINESIS_UNIT_BYTES),
      price: 'kinesisPutPayloadUnits',
    },
    {
      item: `Kinesis shard-hours (${b.shards} shard${b.shards === 1 ? '' : 's'})`,
      category: 'ingest',
      quantity: shardHours(inputs, b.shards),
      price: 'kinesisShardHour',
    },
    {
      item: 'Firehose ingestion to the lake',
      category: 'ingest',
      quantity: n * Math.ceil(b.eventBytes / FIREHOSE_ROUNDING_BYTES) * FIREHOSE_ROUNDING_BYTES,
      price: 'firehoseIngestion',
    },
  ]);
}

/** The three paths' bills for the same events. */
export function costModel(inputs: CostInputs, prices: PriceList): readonly PathCost[] {
  return [
    croupierPathCost(inputs, prices),
    perEventApiPathCost(inputs, prices),
    batchedKinesisPathCost(inputs, prices),
  ];
}
