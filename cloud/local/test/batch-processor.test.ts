import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BatchProcessorDeps, processBatch } from '../event-source-mapping/batch-processor.js';
import {
  type KinesisEventSourceMappingInput,
  kinesisEventSourceMappingSchema,
} from '../event-source-mapping/config.js';
import type { KinesisInvocationRecord } from '../event-source-mapping/invocation-record.js';
import { buildEvent, type ShardRecord } from '../event-source-mapping/kinesis-event.js';
import { structureOf } from './local-kinesis.js';

const invocationRecordFixture = JSON.parse(
  readFileSync(new URL('./fixtures/lambda-kinesis-invocation-record.json', import.meta.url), 'utf8'),
) as KinesisInvocationRecord;

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const SHARD = 'shardId-000000000000';
const context = {
  shardId: SHARD,
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/slot-events',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:slot-processor',
};

/** Ten records with increasing 56-digit sequence numbers, one second apart, ending a minute before NOW. */
function records(count = 10): ShardRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    sequenceNumber: (
      49_600_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n +
      BigInt(i) * 1000n
    ).toString(),
    partitionKey: `core-${i % 3}`,
    data: Buffer.from(JSON.stringify({ n: i })),
    approximateArrivalTimestamp: new Date(NOW - 60_000 - (count - i) * 1000),
  }));
}

/**
 * A fake function: records each invocation's record numbers and answers with `respond`, which may
 * throw to fail the whole batch. Everything else is the real batch processor.
 */
function harness(
  mapping: Partial<KinesisEventSourceMappingInput>,
  respond: (batch: number[], call: number) => unknown,
) {
  const config = kinesisEventSourceMappingSchema.parse({
    FunctionName: 'slot-processor',
    StreamName: 'slot-events',
    StartingPosition: 'TRIM_HORIZON',
    retryDelayMs: 0,
    ...mapping,
  });
  const invocations: number[][] = [];
  const checkpoints: string[] = [];
  const discarded: KinesisInvocationRecord[] = [];
  const deps: BatchProcessorDeps = {
    buildEvent: (batch) =>
      buildEvent(batch, SHARD, {
        awsRegion: 'us-east-1',
        eventSourceARN: context.streamArn,
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/slot-processor-role',
      }),
    invoke: async (event) => {
      const numbers = event.Records.map(
        (r) => (JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) as { n: number }).n,
      );
      invocations.push(numbers);
      return respond(numbers, invocations.length);
    },
    checkpoint: async (seq) => {
      checkpoints.push(seq);
    },
    discard: async (record) => {
      discarded.push(record);
    },
    pause: async () => true,
    now: () => NOW,
    log: () => {},
  };
  return { config, deps, invocations, checkpoints, discarded };
}

const seqOf = (batch: ShardRecord[], i: number) => batch[i]!.sequenceNumber;
const failOn = (poison: number[]) => (batch: number[]) => {
  if (batch.some((n) => poison.includes(n))) throw new Error(`poison record in ${batch.join(',')}`);
  return undefined;
};

describe('processBatch: ReportBatchItemFailures', () => {
  it('GIVEN records 4 and 7 reported failed once THEN it checkpoints after 3 and retries from 4 (lowest failure)', async () => {
    const batch = records();
    const h = harness({ FunctionResponseTypes: ['ReportBatchItemFailures'] }, (_nums, call) =>
      call === 1
        ? { batchItemFailures: [{ itemIdentifier: seqOf(batch, 7) }, { itemIdentifier: seqOf(batch, 4) }] }
        : {},
    );
    const result = await processBatch(batch, h.config, context, h.deps);
    expect(h.invocations).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [4, 5, 6, 7, 8, 9],
    ]);
    expect(h.checkpoints).toEqual([seqOf(batch, 3), seqOf(batch, 9)]);
    expect(result).toEqual({ invocations: 2, discarded: 0, completed: true });
    expect(h.discarded).toEqual([]);
  });

  it('GIVEN an empty, null or missing failure list THEN the batch is a complete success', async () => {
    for (const response of [{ batchItemFailures: [] }, { batchItemFailures: null }, {}, null, undefined]) {
      const batch = records(3);
      const h = harness({ FunctionResponseTypes: ['ReportBatchItemFailures'] }, () => response);
      await processBatch(batch, h.config, context, h.deps);
      expect(h.invocations).toHaveLength(1);
      expect(h.checkpoints).toEqual([seqOf(batch, 2)]);
    }
  });

  it('GIVEN an empty, null or unknown itemIdentifier THEN the whole batch is retried as a failure', async () => {
    for (const bad of [{ itemIdentifier: '' }, { itemIdentifier: null }, { id: 'x' }, { itemIdentifier: '123' }]) {
      const batch = records(4);
      const h = harness({ FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumRetryAttempts: 1 }, () => ({
        batchItemFailures: [bad],
      }));
      await processBatch(batch, h.config, context, h.deps);
      expect(h.invocations).toEqual([
        [0, 1, 2, 3],
        [0, 1, 2, 3],
      ]);
      expect(h.discarded).toHaveLength(1);
      expect(h.discarded[0]!.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(h.discarded[0]!.responseContext.functionError).toBe('Handled');
      expect(h.discarded[0]!.KinesisBatchInfo.batchSize).toBe(4);
    }
  });

  it('GIVEN a record that always fails and 2 retries THEN it is retried twice from that record, then discarded and the shard moves on', async () => {
    const batch = records(6);
    const h = harness({ FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumRetryAttempts: 2 }, () => ({
      batchItemFailures: [{ itemIdentifier: seqOf(batch, 3) }],
    }));
    await processBatch(batch, h.config, context, h.deps);
    expect(h.invocations).toEqual([
      [0, 1, 2, 3, 4, 5],
      [3, 4, 5],
      [3, 4, 5],
    ]);
    expect(h.discarded).toHaveLength(1);
    const info = h.discarded[0]!.KinesisBatchInfo;
    expect([info.startSequenceNumber, info.endSequenceNumber, info.batchSize]).toEqual([
      seqOf(batch, 3),
      seqOf(batch, 5),
      3,
    ]);
    expect(h.checkpoints.at(-1)).toBe(seqOf(batch, 5));
  });

  it('GIVEN the processor does not report item failures THEN a returned failure list is ignored (success)', async () => {
    const batch = records(3);
    const h = harness({}, () => ({ batchItemFailures: [{ itemIdentifier: seqOf(batch, 0) }] }));
    await processBatch(batch, h.config, context, h.deps);
    expect(h.invocations).toHaveLength(1);
    expect(h.checkpoints).toEqual([seqOf(batch, 2)]);
  });
});

describe('processBatch: function errors, bisect, retries', () => {
  it('GIVEN a poison record 5 and bisect with 1 retry THEN halves are tried in order, the poison is isolated, retried once, discarded alone', async () => {
    const batch = records();
    const h = harness({ BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1 }, failOn([5]));
    const result = await processBatch(batch, h.config, context, h.deps);
    expect(h.invocations).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
      [5, 6, 7],
      [5, 6],
      [5],
      [5],
      [6],
      [7],
      [8, 9],
    ]);
    expect(h.discarded).toHaveLength(1);
    const record = h.discarded[0]!;
    expect(record.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 7 });
    expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    expect(record.KinesisBatchInfo).toEqual({
      shardId: SHARD,
      startSequenceNumber: seqOf(batch, 5),
      endSequenceNumber: seqOf(batch, 5),
      approximateArrivalOfFirstRecord: batch[5]!.approximateArrivalTimestamp.toISOString(),
      approximateArrivalOfLastRecord: batch[5]!.approximateArrivalTimestamp.toISOString(),
      batchSize: 1,
      streamArn: context.streamArn,
    });
    expect(result).toEqual({ invocations: 10, discarded: 1, completed: true });
    // The checkpoint only moves forward and ends on the last record.
    const order = h.checkpoints.map((s) => BigInt(s));
    expect(order).toEqual([...order].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(h.checkpoints.at(-1)).toBe(seqOf(batch, 9));
  });

  it('GIVEN bisect and two poison records with no retries THEN each is discarded on its own and every other record succeeds', async () => {
    const batch = records(8);
    const h = harness({ BisectBatchOnFunctionError: true, MaximumRetryAttempts: 0 }, failOn([1, 6]));
    await processBatch(batch, h.config, context, h.deps);
    const succeeded = h.invocations.filter((b) => !b.includes(1) && !b.includes(6)).flat();
    expect(succeeded.sort()).toEqual([0, 2, 3, 4, 5, 7]);
    expect(h.discarded.map((d) => [d.KinesisBatchInfo.startSequenceNumber, d.KinesisBatchInfo.batchSize])).toEqual([
      [seqOf(batch, 1), 1],
      [seqOf(batch, 6), 1],
    ]);
  });

  it('GIVEN no bisect and 3 retries on a failing function THEN it invokes 4 times with the whole batch and discards it', async () => {
    const batch = records(5);
    const h = harness({ MaximumRetryAttempts: 3 }, failOn([2]));
    await processBatch(batch, h.config, context, h.deps);
    expect(h.invocations).toEqual(Array.from({ length: 4 }, () => [0, 1, 2, 3, 4]));
    expect(h.discarded).toHaveLength(1);
    expect(h.discarded[0]!.requestContext.approximateInvokeCount).toBe(4);
    expect(h.discarded[0]!.KinesisBatchInfo.batchSize).toBe(5);
    expect(h.checkpoints).toEqual([seqOf(batch, 4)]);
  });

  it('GIVEN infinite retries (-1) THEN it keeps retrying until the mapping stops, without discarding or checkpointing', async () => {
    const batch = records(2);
    const h = harness({}, failOn([0]));
    let pauses = 0;
    h.deps.pause = async () => ++pauses < 5;
    const result = await processBatch(batch, h.config, context, h.deps);
    expect(result.completed).toBe(false);
    expect(h.invocations).toHaveLength(5);
    expect(h.discarded).toEqual([]);
    expect(h.checkpoints).toEqual([]);
  });
});

describe('processBatch: maximum record age', () => {
  it('GIVEN the oldest records are past MaximumRecordAgeInSeconds THEN they are discarded unprocessed and the rest invoked', async () => {
    const batch = records(4).map((r, i) => ({
      ...r,
      approximateArrivalTimestamp: new Date(NOW - (i < 2 ? 120_000 : 30_000)),
    }));
    const h = harness({ MaximumRecordAgeInSeconds: 60 }, () => undefined);
    await processBatch(batch, h.config, context, h.deps);
    expect(h.invocations).toEqual([[2, 3]]);
    expect(h.discarded).toHaveLength(1);
    expect(h.discarded[0]!.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(h.discarded[0]!.KinesisBatchInfo.batchSize).toBe(2);
    expect(h.checkpoints).toEqual([seqOf(batch, 1), seqOf(batch, 3)]);
  });
});

describe('on-failure invocation record', () => {
  it('THEN it has the keys, key order and types of the AWS documentation sample, plus the S3 payload', async () => {
    const batch = records(3);
    const h = harness({ MaximumRetryAttempts: 0 }, failOn([0]));
    await processBatch(batch, h.config, context, h.deps);
    const { payload, ...metadata } = h.discarded[0]!;
    expect(structureOf(metadata)).toEqual(structureOf(invocationRecordFixture));
    expect(metadata.version).toBe('1.0');
    expect(metadata.timestamp).toBe(new Date(NOW).toISOString());
    expect(metadata.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload).toMatchObject({ Records: [{ eventID: `${SHARD}:${seqOf(batch, 0)}` }, {}, {}] });
  });
});
