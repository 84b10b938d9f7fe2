/**
 * AWS list prices the cost model uses: us-east-1, on-demand, first pricing tier, no free tier, USD.
 * Each states where it comes from and how far it was checked, because prices change and the file
 * that prints them must say how much to trust them.
 */

/**
 * How a price was checked when it was written down:
 * - `verified`: the number was read on an AWS page (aws.amazon.com or docs.aws.amazon.com) through a search of stored pages;
 * - `corroborated`: the AWS page's own text did not render the number, but a third-party transcription of it or a
 *   pricing table copied from it (named in `evidence`) gives the same number;
 * - `memory`: from the author's knowledge of the price list, not checked this time.
 */
export type PriceVerification = 'verified' | 'corroborated' | 'memory';

/** One list price: `usd` for every `per` units of `unit`. */
export interface ListPrice {
  readonly service: string;
  readonly item: string;
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly region: 'us-east-1';
  readonly source: string;
  readonly verification: PriceVerification;
  readonly evidence: string;
}

const MILLION = 1_000_000;

/** The price list, by the name the cost model uses. */
export const PRICES = {
  iotMessages: {
    service: 'AWS IoT Core',
    item: 'messaging, first 1 billion messages a month; each message metered in 5 KB increments of payload + topic',
    usd: 1.0,
    per: MILLION,
    unit: 'messages (5 KB units)',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/iot-core/pricing/',
    verification: 'corroborated',
    evidence:
      "price: the page's worked example ($1.00/1,000,000 messages) as transcribed by api-evangelist/amazon-iot-core; metering verified on aws.amazon.com/iot-core/pricing/additional-details: a PUBLISH is metered on the size of its payload and topic, in 5 KB messages",
  },
  iotRulesTriggered: {
    service: 'AWS IoT Core',
    item: 'rules engine, rules triggered (billed here per 5 KB unit of the message, an upper bound)',
    usd: 0.15,
    per: MILLION,
    unit: 'rules triggered',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/iot-core/pricing/',
    verification: 'memory',
    evidence: 'not found in the stored pages',
  },
  iotActionsExecuted: {
    service: 'AWS IoT Core',
    item: 'rules engine, actions executed (billed here per 5 KB unit of the message, an upper bound)',
    usd: 0.15,
    per: MILLION,
    unit: 'actions executed',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/iot-core/pricing/',
    verification: 'memory',
    evidence: 'not found in the stored pages',
  },
  kinesisShardHour: {
    service: 'Amazon Kinesis Data Streams',
    item: 'provisioned mode, shard hour',
    usd: 0.015,
    per: 1,
    unit: 'shard-hour',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
    verification: 'corroborated',
    evidence:
      'the stored copy of the page does not render the provisioned-mode prices; costcalculator.calculator.city/aws-kinesis-cost-calculator gives $0.015 per shard-hour for us-east-1',
  },
  kinesisExtendedRetention: {
    service: 'Amazon Kinesis Data Streams',
    item: 'provisioned mode, extended retention (24 h to 7 days), per shard hour',
    usd: 0.02,
    per: 1,
    unit: 'shard-hour',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
    verification: 'memory',
    evidence: 'the stored copy of the page does not render the provisioned-mode prices',
  },
  kinesisPutPayloadUnits: {
    service: 'Amazon Kinesis Data Streams',
    item: 'provisioned mode, PUT payload units (each record rounded up to 25 KB)',
    usd: 0.014,
    per: MILLION,
    unit: 'PUT payload units',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
    verification: 'corroborated',
    evidence:
      'EveryMundo/aws-kinesis-client docs quote the pricing page ($0.014 per 1M units) and costcalculator.calculator.city gives $0.014 for us-east-1; the 25 KB unit verified on aws.amazon.com/kinesis/pricing/',
  },
  lambdaRequests: {
    service: 'AWS Lambda',
    item: 'requests',
    usd: 0.2,
    per: MILLION,
    unit: 'requests',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/lambda/pricing/',
    verification: 'corroborated',
    evidence: "the page's $0.20 per million requests as transcribed by api-evangelist/aws-lambda",
  },
  lambdaGbSecondArm: {
    service: 'AWS Lambda',
    item: 'duration, Arm (Croupier deploys arm64), first 7.5 billion GB-s a month',
    usd: 0.0000133334,
    per: 1,
    unit: 'GB-second',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/lambda/pricing/',
    verification: 'corroborated',
    evidence:
      'the price table in artillery@2.0.28 lib/platform/aws-lambda/prices.js (arm64 base), copied from the page',
  },
  dynamoDbWriteRequestUnits: {
    service: 'Amazon DynamoDB',
    item: 'on-demand write request units (1 KB each; prices after the November 2024 reduction)',
    usd: 0.625,
    per: MILLION,
    unit: 'write request units',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    verification: 'corroborated',
    evidence:
      'airbyte.com/data-engineering-resources/dynamodb-pricing: "$0.625 per million write request units" (US East)',
  },
  apiGatewayRestRequests: {
    service: 'Amazon API Gateway',
    item: 'REST API requests, first 333 million a month',
    usd: 3.5,
    per: MILLION,
    unit: 'requests',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    verification: 'corroborated',
    evidence: 'api-evangelist/aws-api-gateway plans: "$3.50 per million (first tier ...)", US-East-1',
  },
  firehoseIngestion: {
    service: 'Amazon Data Firehose',
    item: 'ingestion from a Kinesis data stream, each record rounded up to 5 KB, first 500 TB a month',
    usd: 0.029,
    per: 1024 ** 3,
    unit: 'bytes (GB)',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/firehose/pricing/',
    verification: 'memory',
    evidence:
      'the price is not rendered in the stored copies; the rounding of each record up to 5 KB is verified on aws.amazon.com/kinesis/data-firehose/pricing/ (de and ru editions)',
  },
} as const satisfies Record<string, ListPrice>;

/** The names of the prices in {@link PRICES}. */
export type PriceName = keyof typeof PRICES;

/** A price list shaped like {@link PRICES}; tests pass their own. */
export type PriceList = Readonly<Record<PriceName, ListPrice>>;

/** Dollars for `quantity` units of a price. */
export function charge(price: ListPrice, quantity: number): number {
  return (quantity / price.per) * price.usd;
}
