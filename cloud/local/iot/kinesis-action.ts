import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

/** One record for the Kinesis rule action. */
export interface KinesisActionRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
}

export type KinesisActionResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Kinesis limits on one PutRecords call. */
export const PUT_RECORDS_MAX_RECORDS = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

/** Kinesis rejects a whole request for one bad key, so keys are checked here, record by record. */
function invalidKey(partitionKey: string): string | undefined {
  if (partitionKey === '') return 'InvalidArgumentException: partition key rendered empty';
  if ([...partitionKey].length > 256) return 'InvalidArgumentException: partition key longer than 256 characters';
  return undefined;
}

/**
 * The Kinesis rule action for a run of messages of one rule: one PutRecords call whose per-record
 * results say which messages reached the stream and which go to the error action. Records keep
 * their order, so messages with one partition key land on their shard in arrival order, just as
 * one PutRecord per message (IoT Core's way) would put them.
 */
export async function putToKinesis(
  client: KinesisClient,
  streamName: string,
  records: readonly KinesisActionRecord[],
): Promise<KinesisActionResult[]> {
  const results: KinesisActionResult[] = records.map((record) => {
    const reason = invalidKey(record.partitionKey);
    return reason ? { ok: false, reason } : { ok: true };
  });
  const sendable = records.flatMap((record, index) => (results[index]!.ok ? [{ record, index }] : []));
  if (sendable.length === 0) return results;
  try {
    const response = await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: sendable.map(({ record }) => ({ PartitionKey: record.partitionKey, Data: record.data })),
      }),
    );
    sendable.forEach(({ index }, position) => {
      const entry = response.Records?.[position];
      if (!entry) results[index] = { ok: false, reason: 'PutRecords returned no result for this record' };
      else if (entry.ErrorCode)
        results[index] = { ok: false, reason: `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}` };
    });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    for (const { index } of sendable) results[index] = { ok: false, reason };
  }
  return results;
}
