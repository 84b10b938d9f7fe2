import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpointStore, MemoryCheckpointStore } from '../event-source-mapping/checkpoint-store.js';
import type { KinesisEventSourceMappingInput } from '../event-source-mapping/config.js';
import type { KinesisInvocationRecord } from '../event-source-mapping/invocation-record.js';
import type { KinesisInvocationEvent, TumblingWindowFields } from '../event-source-mapping/kinesis-event.js';
import { KinesisEventSourceMapping } from '../event-source-mapping/kinesis-event-source-mapping.js';
import type { KinesisHandler } from '../event-source-mapping/lambda-context.js';
import { FileOnFailureDestination } from '../event-source-mapping/on-failure-destination.js';
import type { KinesisEmulator } from '../kinesis-emulator.js';
import { createTestStream, eventually, startTestKinesis, structureOf, TEST_AWS } from './local-kinesis.js';

let emulator: KinesisEmulator;
let client: KinesisClient;
let dir: string;

beforeAll(async () => {
  ({ emulator, client } = await startTestKinesis());
  dir = await mkdtemp(join(tmpdir(), 'croupier-esm-'));
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const numbersOf = (event: KinesisStreamEvent) =>
  event.Records.map((r) => (JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) as { n: number }).n);

async function putNumbers(stream: string, from: number, to: number): Promise<string[]> {
  const result = await client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: Array.from({ length: to - from }, (_, i) => ({
        PartitionKey: 'core-1',
        Data: Buffer.from(JSON.stringify({ n: from + i })),
      })),
    }),
  );
  return result.Records!.map((r) => r.SequenceNumber!);
}

/**
 * Waits, if needed, until the next 900 s tumbling-window boundary is at least `marginMs` away. Windows
 * are aligned to the epoch, so a boundary passing during a test would add a window close it does not expect.
 */
async function clearOfWindowBoundary(marginMs = 30_000): Promise<void> {
  const size = 900_000;
  const toBoundary = size - (Date.now() % size);
  if (toBoundary < marginMs) await new Promise((resolve) => setTimeout(resolve, toBoundary + 100));
}

function mapping(
  input: Partial<KinesisEventSourceMappingInput> & Pick<KinesisEventSourceMappingInput, 'StreamName'>,
  handler: KinesisHandler<KinesisInvocationEvent>,
  extra: { checkpoints?: FileCheckpointStore; onFailure?: FileOnFailureDestination } = {},
) {
  return new KinesisEventSourceMapping({
    kinesis: client,
    mapping: {
      FunctionName: 'test-function',
      StartingPosition: 'TRIM_HORIZON',
      pollIntervalMs: 20,
      retryDelayMs: 10,
      ...input,
    },
    handler,
    checkpoints: extra.checkpoints ?? new MemoryCheckpointStore(),
    ...(extra.onFailure ? { onFailure: extra.onFailure } : {}),
    region: TEST_AWS.region,
    accountId: '123456789012',
  });
}

describe('KinesisEventSourceMapping over kinesalite', () => {
  it('GIVEN partial failures and a poison record THEN good records are processed, the poison lands in the on-failure folder, the checkpoint is saved', async () => {
    const streamArn = await createTestStream(client, 'esm-failures');
    const seqs = await putNumbers('esm-failures', 0, 20);
    const failures = join(dir, 'on-failure');
    const checkpoints = new FileCheckpointStore(join(dir, 'checkpoints', 'esm-failures.json'));
    const done = new Set<number>();
    const reportedOnce = new Set<number>();
    const esm = mapping(
      {
        StreamName: 'esm-failures',
        BatchSize: 8,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 1,
      },
      async (event) => {
        const numbers = numbersOf(event);
        if (numbers.includes(13)) throw new Error('cannot decode record 13');
        // Record 3 fails once (a throttled downstream write), then succeeds on retry.
        const failed = event.Records.filter((_, i) => numbers[i] === 3 && !reportedOnce.has(3));
        for (const n of numbers) if (!(n === 3 && !reportedOnce.has(3))) done.add(n);
        if (failed.length > 0) reportedOnce.add(3);
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      },
      { checkpoints, onFailure: new FileOnFailureDestination(failures) },
    );
    await esm.start();
    await eventually(async () => (await checkpoints.load()).get('shardId-000000000000') === seqs[19]);
    await esm.stop();

    expect([...done].sort((a, b) => a - b)).toEqual([...Array(20).keys()].filter((n) => n !== 13));
    const files = await readdir(failures);
    expect(files).toHaveLength(1);
    const record = JSON.parse(await readFile(join(failures, files[0]!), 'utf8')) as KinesisInvocationRecord;
    expect(record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
    });
    expect(record.responseContext.functionError).toBe('Unhandled');
    expect(record.KinesisBatchInfo).toMatchObject({
      shardId: 'shardId-000000000000',
      startSequenceNumber: seqs[13],
      endSequenceNumber: seqs[13],
      batchSize: 1,
      streamArn,
    });
    const stats = esm.stats().get('shardId-000000000000')!;
    expect(stats.recordsDiscarded).toBe(1);
  });

  it('GIVEN a saved checkpoint THEN a restarted mapping resumes after it instead of the starting position', async () => {
    await createTestStream(client, 'esm-resume');
    const checkpoints = new FileCheckpointStore(join(dir, 'checkpoints', 'esm-resume.json'));
    const seen: number[] = [];
    const handler = async (event: KinesisInvocationEvent) => {
      seen.push(...numbersOf(event));
    };
    await putNumbers('esm-resume', 0, 5);
    const first = mapping({ StreamName: 'esm-resume' }, handler, { checkpoints });
    await first.start();
    await eventually(() => seen.length === 5);
    await first.stop();
    await putNumbers('esm-resume', 5, 8);
    const second = mapping({ StreamName: 'esm-resume' }, handler, {
      checkpoints: new FileCheckpointStore(join(dir, 'checkpoints', 'esm-resume.json')),
    });
    await second.start();
    await eventually(() => seen.length >= 8);
    await second.stop();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('GIVEN StartingPosition LATEST or AT_TIMESTAMP THEN earlier records are skipped', async () => {
    await createTestStream(client, 'esm-positions');
    await putNumbers('esm-positions', 0, 3);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const boundary = Date.now() / 1000;
    await putNumbers('esm-positions', 3, 5);
    const latest: number[] = [];
    const atTimestamp: number[] = [];
    const esmLatest = mapping({ StreamName: 'esm-positions', StartingPosition: 'LATEST' }, async (e) => {
      latest.push(...numbersOf(e));
    });
    const esmAt = mapping(
      { StreamName: 'esm-positions', StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: boundary },
      async (e) => {
        atTimestamp.push(...numbersOf(e));
      },
    );
    await esmLatest.start();
    await esmAt.start();
    await putNumbers('esm-positions', 5, 6);
    await eventually(() => latest.length >= 1 && atTimestamp.length >= 3);
    await esmLatest.stop();
    await esmAt.stop();
    expect(latest).toEqual([5]);
    expect(atTimestamp).toEqual([3, 4, 5]);
  });

  it('GIVEN a batching window THEN records put one by one arrive in one invocation; without it they arrive as they come', async () => {
    await createTestStream(client, 'esm-window');
    const windowed: number[][] = [];
    const immediate: number[][] = [];
    const a = mapping(
      { StreamName: 'esm-window', StartingPosition: 'LATEST', MaximumBatchingWindowInSeconds: 4, BatchSize: 50 },
      async (e) => {
        windowed.push(numbersOf(e));
      },
    );
    const b = mapping({ StreamName: 'esm-window', StartingPosition: 'LATEST', BatchSize: 50 }, async (e) => {
      immediate.push(numbersOf(e));
    });
    await a.start();
    await b.start();
    for (let n = 0; n < 5; n++) {
      await client.send(
        new PutRecordCommand({ StreamName: 'esm-window', PartitionKey: 'p', Data: Buffer.from(JSON.stringify({ n })) }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await eventually(() => windowed.flat().length === 5 && immediate.flat().length === 5);
    await a.stop();
    await b.stop();
    expect(windowed).toEqual([[0, 1, 2, 3, 4]]);
    expect(immediate.length).toBeGreaterThan(1);
  });

  it('GIVEN BatchSize 3 THEN no invocation carries more than 3 records and order is kept', async () => {
    await createTestStream(client, 'esm-batch-size');
    await putNumbers('esm-batch-size', 0, 10);
    const batches: number[][] = [];
    const esm = mapping({ StreamName: 'esm-batch-size', BatchSize: 3 }, async (e) => {
      batches.push(numbersOf(e));
    });
    await esm.start();
    await eventually(() => batches.flat().length === 10);
    await esm.stop();
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(batches.flat()).toEqual([...Array(10).keys()]);
  });

  it('GIVEN a handler that outlives FunctionTimeoutSeconds THEN the invocation fails as timed out and is retried, with a live Lambda context', async () => {
    await createTestStream(client, 'esm-timeout');
    await putNumbers('esm-timeout', 0, 1);
    const calls: { remaining: number; functionName: string; arn: string; requestId: string }[] = [];
    const esm = mapping({ StreamName: 'esm-timeout', FunctionTimeoutSeconds: 1 }, async (_event, context) => {
      calls.push({
        remaining: context.getRemainingTimeInMillis(),
        functionName: context.functionName,
        arn: context.invokedFunctionArn,
        requestId: context.awsRequestId,
      });
      if (calls.length === 1) await new Promise((resolve) => setTimeout(resolve, 1500));
    });
    await esm.start();
    await eventually(() => calls.length === 2);
    await esm.stop();
    expect(calls[0]!.remaining).toBeGreaterThan(900);
    expect(calls[0]!.remaining).toBeLessThanOrEqual(1000);
    expect(calls[0]).toMatchObject({
      functionName: 'test-function',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
    });
    expect(calls[1]!.requestId).not.toBe(calls[0]!.requestId);
  });
});

describe('tumbling windows', () => {
  it('GIVEN TumblingWindowInSeconds THEN state carries across invocations of a window and a final invoke closes it', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('./fixtures/lambda-kinesis-tumbling-window-event.json', import.meta.url), 'utf8'),
    ) as KinesisStreamEvent & TumblingWindowFields;
    await createTestStream(client, 'esm-tumbling');
    const invocations: (KinesisStreamEvent & TumblingWindowFields)[] = [];
    const esm = mapping({ StreamName: 'esm-tumbling', TumblingWindowInSeconds: 1, BatchSize: 2 }, async (event) => {
      const e = event as KinesisStreamEvent & TumblingWindowFields;
      invocations.push(structuredClone(e));
      const count = (e.state.count as number | undefined) ?? 0;
      return { state: { count: count + e.Records.length }, batchItemFailures: [] };
    });
    await putNumbers('esm-tumbling', 0, 5);
    await esm.start();
    await eventually(
      () =>
        invocations.filter((e) => e.isFinalInvokeForWindow).reduce((n, e) => n + (e.state.count as number), 0) === 5,
      10_000,
    );
    await esm.stop();

    // Five records put together normally share one 1-second window; group by window so a put that
    // straddles a second boundary still checks out.
    const windows = [...new Set(invocations.map((e) => e.window.start))];
    for (const start of windows) {
      const inWindow = invocations.filter((e) => e.window.start === start);
      const final = inWindow.at(-1)!;
      expect(final.isFinalInvokeForWindow).toBe(true);
      expect(final.Records).toEqual([]);
      expect(inWindow.slice(0, -1).every((e) => !e.isFinalInvokeForWindow && e.Records.length <= 2)).toBe(true);
      // Each invocation sees the state the previous one returned.
      let count = 0;
      for (const e of inWindow) {
        expect(e.state.count ?? 0).toBe(count);
        count += e.Records.length;
      }
      expect(final.state).toEqual({ count: inWindow.reduce((n, e) => n + e.Records.length, 0) });
      expect(Date.parse(final.window.end) - Date.parse(start)).toBe(1000);
      expect(start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    // Same top-level fields, in the same order and with the same types, as the documentation sample.
    const withoutState = ({ state: _s, Records: _r, ...rest }: KinesisStreamEvent & TumblingWindowFields) => rest;
    expect(Object.keys(invocations[0]!)).toEqual(Object.keys(fixture));
    expect(structureOf(withoutState(invocations[0]!))).toEqual(structureOf(withoutState(fixture)));
    expect(structureOf(invocations[0]!.Records[0])).toEqual(structureOf(fixture.Records[0]));
  });

  it('GIVEN a window state over 1 MB THEN the window is terminated early with a final invoke and a fresh state', async () => {
    await clearOfWindowBoundary();
    await createTestStream(client, 'esm-tumbling-big');
    await putNumbers('esm-tumbling-big', 0, 2);
    const invocations: { records: number; final: boolean; early: boolean; stateBytes: number }[] = [];
    const esm = mapping(
      { StreamName: 'esm-tumbling-big', TumblingWindowInSeconds: 900, BatchSize: 1 },
      async (event) => {
        const e = event as KinesisStreamEvent & TumblingWindowFields;
        invocations.push({
          records: e.Records.length,
          final: e.isFinalInvokeForWindow,
          early: e.isWindowTerminatedEarly,
          stateBytes: JSON.stringify(e.state).length,
        });
        return { state: e.isFinalInvokeForWindow ? {} : { blob: 'x'.repeat(1024 * 1024 + 1) } };
      },
    );
    await esm.start();
    await eventually(() => invocations.filter((i) => i.final).length === 2);
    await esm.stop();
    expect(invocations.map(({ records, final, early }) => [records, final, early])).toEqual([
      [1, false, false],
      [0, true, true],
      [1, false, false],
      [0, true, true],
    ]);
    expect(invocations[0]!.stateBytes).toBe(2);
    expect(invocations[1]!.stateBytes).toBeGreaterThan(1024 * 1024);
    expect(invocations[2]!.stateBytes).toBe(2);
  });

  it('GIVEN a tumbling-window response without state THEN the invocation counts as failed and is retried', async () => {
    await clearOfWindowBoundary();
    await createTestStream(client, 'esm-tumbling-stateless');
    await putNumbers('esm-tumbling-stateless', 0, 1);
    let calls = 0;
    const esm = mapping(
      { StreamName: 'esm-tumbling-stateless', TumblingWindowInSeconds: 900, MaximumRetryAttempts: 2 },
      async () => {
        calls += 1;
        return { batchItemFailures: [] };
      },
      { onFailure: new FileOnFailureDestination(join(dir, 'stateless')) },
    );
    await esm.start();
    await eventually(async () => (await readdir(join(dir, 'stateless')).catch(() => [])).length === 1);
    await esm.stop();
    expect(calls).toBe(3);
  });
});
