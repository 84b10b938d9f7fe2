import type { ShardRecord } from './kinesis-event.js';

/** Why a batch was discarded, as Lambda names it in `requestContext.condition`. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded' | 'MaximumPayloadSizeExceeded';

/** The document Lambda sends to a Kinesis mapping's on-failure destination for a discarded batch. */
export interface KinesisInvocationRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: DiscardCondition;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: 'Unhandled' | 'Handled';
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  /**
   * The invocation event, as an S3 on-failure destination stores it. SQS and SNS destinations carry
   * metadata only, which is why consumers must not depend on it.
   */
  readonly payload?: unknown;
}

export interface InvocationRecordInput {
  readonly requestId: string;
  readonly functionArn: string;
  readonly condition: DiscardCondition;
  readonly approximateInvokeCount: number;
  /** Set when the last invocation raised or returned a rejected response. */
  readonly functionError?: 'Unhandled' | 'Handled';
  readonly now: Date;
  readonly shardId: string;
  readonly streamArn: string;
  /** The discarded records, in shard order; never empty. */
  readonly records: readonly ShardRecord[];
  readonly payload?: unknown;
}

/** Builds the on-failure invocation record for a discarded batch. Pure. */
export function buildInvocationRecord(input: InvocationRecordInput): KinesisInvocationRecord {
  const first = input.records[0];
  const last = input.records.at(-1);
  if (!first || !last) throw new Error('an invocation record needs at least one record');
  return {
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    responseContext: {
      // A batch discarded for age before any invocation has no function response to report.
      statusCode: input.approximateInvokeCount > 0 ? 200 : 0,
      executedVersion: input.approximateInvokeCount > 0 ? '$LATEST' : '',
      ...(input.functionError ? { functionError: input.functionError } : {}),
    },
    version: '1.0',
    timestamp: input.now.toISOString(),
    KinesisBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: first.approximateArrivalTimestamp.toISOString(),
      approximateArrivalOfLastRecord: last.approximateArrivalTimestamp.toISOString(),
      batchSize: input.records.length,
      streamArn: input.streamArn,
    },
    ...(input.payload === undefined ? {} : { payload: input.payload }),
  };
}
