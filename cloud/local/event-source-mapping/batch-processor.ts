import { randomUUID } from 'node:crypto';
import { type InvocationOutcome, interpretResponse } from './batch-response.js';
import type { KinesisEventSourceMappingConfig } from './config.js';
import { buildInvocationRecord, type DiscardCondition, type KinesisInvocationRecord } from './invocation-record.js';
import type { KinesisInvocationEvent, ShardRecord } from './kinesis-event.js';

/** What the batch processor needs from the outside world; all of it is injected so tests drive it. */
export interface BatchProcessorDeps {
  /** The invocation event for a batch. */
  buildEvent(records: readonly ShardRecord[]): KinesisInvocationEvent;
  /** Invokes the function once and returns its raw response; throws when the function fails. */
  invoke(event: KinesisInvocationEvent): Promise<unknown>;
  /** Records before and including this sequence number are done. */
  checkpoint(sequenceNumber: string): Promise<void>;
  /** Reports a discarded batch (on-failure destination). */
  discard(record: KinesisInvocationRecord): Promise<void>;
  /** Waits between retries; rejects (or returns false) when the mapping is stopping. */
  pause(ms: number): Promise<boolean>;
  now(): number;
  /** Receives the tumbling-window state returned by each successful invocation. */
  onState?(state: Record<string, unknown>): void;
  log(message: string, fields: Record<string, unknown>): void;
}

export interface BatchContext {
  readonly shardId: string;
  readonly streamArn: string;
  readonly functionArn: string;
}

/** Result of processing one batch. */
export interface BatchResult {
  readonly invocations: number;
  readonly discarded: number;
  /** False when the mapping stopped before the batch was done; nothing after the last checkpoint is done. */
  readonly completed: boolean;
}

interface PendingBatch {
  readonly records: readonly ShardRecord[];
  /** Retries consumed so far. Bisecting does not consume retries; the halves inherit the count. */
  readonly retries: number;
  readonly lastError?: 'Unhandled' | 'Handled';
}

/**
 * Runs one batch to completion with Lambda's Kinesis error handling:
 *
 * - success: checkpoint after the last record;
 * - partial failure (ReportBatchItemFailures): checkpoint before the lowest failed record and retry
 *   from it (with BisectBatchOnFunctionError too, Lambda "bisects at the returned sequence number",
 *   which is the same thing); the retry consumes one retry attempt;
 * - function error: with BisectBatchOnFunctionError and more than one record, split in two halves
 *   processed in order, without consuming a retry; otherwise retry the same records;
 * - when retries are exhausted (MaximumRetryAttempts, -1 = never) or the oldest records are older
 *   than MaximumRecordAgeInSeconds, the records are discarded to the on-failure destination and the
 *   shard moves on.
 *
 * Records are always done in shard order: a later half is never invoked before an earlier half has
 * succeeded or been discarded, so the checkpoint only ever moves forward.
 */
export async function processBatch(
  records: readonly ShardRecord[],
  config: KinesisEventSourceMappingConfig,
  context: BatchContext,
  deps: BatchProcessorDeps,
): Promise<BatchResult> {
  const rules = {
    reportBatchItemFailures: config.FunctionResponseTypes.includes('ReportBatchItemFailures'),
    tumblingWindow: config.TumblingWindowInSeconds > 0,
  };
  const stack: PendingBatch[] = [{ records, retries: 0 }];
  let invocations = 0;
  let discarded = 0;

  const discard = async (
    batch: readonly ShardRecord[],
    condition: DiscardCondition,
    error?: PendingBatch['lastError'],
    payload?: unknown,
  ) => {
    await deps.discard(
      buildInvocationRecord({
        requestId: randomUUID(),
        functionArn: context.functionArn,
        condition,
        approximateInvokeCount: invocations,
        ...(error ? { functionError: error } : {}),
        now: new Date(deps.now()),
        shardId: context.shardId,
        streamArn: context.streamArn,
        records: batch,
        payload,
      }),
    );
    await deps.checkpoint(batch.at(-1)!.sequenceNumber);
    discarded += batch.length;
    deps.log('discarded records', { condition, count: batch.length, shardId: context.shardId });
  };

  while (stack.length > 0) {
    const current = stack.pop()!;
    let batch = current.records;

    if (config.MaximumRecordAgeInSeconds !== -1) {
      const oldestAllowed = deps.now() - config.MaximumRecordAgeInSeconds * 1000;
      const expired = batch.filter((r) => r.approximateArrivalTimestamp.getTime() < oldestAllowed);
      if (expired.length > 0) {
        // Arrival order follows shard order, so expired records form a prefix.
        await discard(expired, 'RecordAgeExceeded', current.lastError);
        batch = batch.slice(expired.length);
        if (batch.length === 0) continue;
      }
    }

    let outcome: InvocationOutcome;
    const event = deps.buildEvent(batch);
    try {
      invocations += 1;
      outcome = interpretResponse(await deps.invoke(event), batch, rules);
    } catch (error) {
      outcome = {
        kind: 'error',
        functionError: 'Unhandled',
        message: error instanceof Error ? error.message : String(error),
      };
    }

    if (outcome.kind === 'success') {
      if (outcome.state) deps.onState?.(outcome.state);
      await deps.checkpoint(batch.at(-1)!.sequenceNumber);
      continue;
    }

    let remaining = batch;
    let retryOf: PendingBatch['lastError'];
    if (outcome.kind === 'partial') {
      if (outcome.state) deps.onState?.(outcome.state);
      if (outcome.failedIndex > 0) await deps.checkpoint(batch[outcome.failedIndex - 1]!.sequenceNumber);
      remaining = batch.slice(outcome.failedIndex);
      deps.log('partial batch failure', { shardId: context.shardId, failedFrom: remaining[0]!.sequenceNumber });
    } else {
      retryOf = outcome.functionError;
      deps.log('function error', { shardId: context.shardId, batchSize: batch.length, error: outcome.message });
      if (config.BisectBatchOnFunctionError && batch.length > 1) {
        const middle = Math.ceil(batch.length / 2);
        stack.push({ records: batch.slice(middle), retries: current.retries, lastError: retryOf });
        stack.push({ records: batch.slice(0, middle), retries: current.retries, lastError: retryOf });
        continue;
      }
    }

    if (config.MaximumRetryAttempts !== -1 && current.retries >= config.MaximumRetryAttempts) {
      await discard(remaining, 'RetryAttemptsExhausted', retryOf, event);
      continue;
    }
    if (!(await deps.pause(config.retryDelayMs))) return { invocations, discarded, completed: false };
    stack.push({ records: remaining, retries: current.retries + 1, ...(retryOf ? { lastError: retryOf } : {}) });
  }
  return { invocations, discarded, completed: true };
}
