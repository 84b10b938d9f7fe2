import type { ShardRecord } from './kinesis-event.js';

/** What an invocation meant for its batch, as Lambda judges the function's response. */
export type InvocationOutcome =
  | { readonly kind: 'success'; readonly state?: Record<string, unknown> }
  /** Records before `failedIndex` succeeded; processing resumes at the record at `failedIndex`. */
  | { readonly kind: 'partial'; readonly failedIndex: number; readonly state?: Record<string, unknown> }
  /** The whole batch failed: the function threw, timed out, or returned a response Lambda rejects. */
  | { readonly kind: 'error'; readonly message: string; readonly functionError: 'Unhandled' | 'Handled' };

export interface ResponseRules {
  readonly reportBatchItemFailures: boolean;
  /** With tumbling windows the response must carry a `state` object. */
  readonly tumblingWindow: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Judges a function's return value the way Lambda does for Kinesis.
 *
 * Without ReportBatchItemFailures any normal return is a success. With it, a missing/null response,
 * a missing/null/empty `batchItemFailures` list is a success; an `itemIdentifier` that is empty,
 * null, missing or not a sequence number of the batch makes the whole batch a failure; otherwise
 * processing checkpoints before the failed record with the lowest sequence number and resumes
 * there. With tumbling windows a response without a `state` object is a failed invocation.
 */
export function interpretResponse(
  response: unknown,
  batch: readonly ShardRecord[],
  rules: ResponseRules,
): InvocationOutcome {
  let state: Record<string, unknown> | undefined;
  if (rules.tumblingWindow) {
    if (!isObject(response) || !isObject(response.state)) {
      return { kind: 'error', functionError: 'Handled', message: 'tumbling-window response has no state object' };
    }
    state = response.state;
  }
  const withState = <T extends object>(outcome: T) => (state ? { ...outcome, state } : outcome);
  if (!rules.reportBatchItemFailures || response === null || response === undefined) {
    return withState({ kind: 'success' as const });
  }
  if (!isObject(response)) return withState({ kind: 'success' as const });
  const failures = response.batchItemFailures;
  if (failures === null || failures === undefined) return withState({ kind: 'success' as const });
  if (!Array.isArray(failures)) {
    return { kind: 'error', functionError: 'Handled', message: 'batchItemFailures is not a list' };
  }
  if (failures.length === 0) return withState({ kind: 'success' as const });

  const indexBySequence = new Map(batch.map((record, index) => [record.sequenceNumber, index]));
  let failedIndex = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = isObject(failure) ? failure.itemIdentifier : undefined;
    const index = typeof id === 'string' && id !== '' ? indexBySequence.get(id) : undefined;
    if (index === undefined) {
      return {
        kind: 'error',
        functionError: 'Handled',
        message: `invalid batch item failure ${JSON.stringify(failure)}: itemIdentifier must be a sequence number of the batch`,
      };
    }
    failedIndex = Math.min(failedIndex, index);
  }
  // Records in a batch are in shard order, so the lowest index holds the lowest sequence number.
  return withState({ kind: 'partial' as const, failedIndex });
}
