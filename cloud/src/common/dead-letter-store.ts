import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ttlSeconds } from './dynamo.js';
import type { DeadLetter } from './kinesis-envelopes.js';

/** Dead letters are kept a month: long enough for an operator to look, short enough to stay small. */
const DEAD_LETTER_RETENTION_MS = 30 * 24 * 3600 * 1000;
const BATCH_WRITE_LIMIT = 25;

/**
 * Keeps refused records and events in the ingest table under `deadletter#{processor}`, sorted by
 * time, where the floor API and operators can read them. Dead-lettering never fails the batch's
 * good records; a failure to store a dead letter is thrown so the batch is retried instead of
 * silently losing it.
 */
export class DeadLetterStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly processor: string,
  ) {}

  async put(letters: readonly DeadLetter[], now: number): Promise<void> {
    for (let start = 0; start < letters.length; start += BATCH_WRITE_LIMIT) {
      const chunk = letters.slice(start, start + BATCH_WRITE_LIMIT);
      let requests = chunk.map((letter) => ({
        PutRequest: {
          Item: {
            pk: `deadletter#${this.processor}`,
            sk: `${new Date(now).toISOString()}#${letter.sequenceNumber}#${letter.eventIndex ?? 'record'}`,
            ...letter,
            storedAt: now,
            expiresAt: ttlSeconds(now + DEAD_LETTER_RETENTION_MS),
          },
        },
      }));
      for (let round = 0; requests.length > 0; round += 1) {
        if (round >= 8) throw new Error('dead letters left unprocessed');
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.tableName] as typeof requests | undefined) ?? [];
      }
    }
  }
}
