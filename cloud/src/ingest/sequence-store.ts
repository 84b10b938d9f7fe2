import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UplinkStream } from '@croupier/contracts';
import { batchGetAll, isConditionalCheckFailed, ttlSeconds } from '../common/dynamo.js';
import {
  observeSequences,
  type SequenceObservation,
  type SequencePoint,
  type SequenceState,
} from './sequence-tracker.js';

/** Gap records are kept 90 days: an audit of what the floor failed to deliver. */
const GAP_RETENTION_MS = 90 * 24 * 3600 * 1000;
const BATCH_WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 4;

const stateKey = (stream: UplinkStream, core: string) => ({ pk: `seq#${stream}#${core}`, sk: 'state' });

/**
 * Per-core envelope sequence tracking in the ingest table: `seq#{stream}#{core}/state` holds the
 * highest sequence seen and counters; `gap#{stream}#{core}/{from}` records each gap. The state
 * update is conditional on the value read, so two invocations never both count the same gap.
 */
export class SequenceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records one batch's envelope sequence numbers per core, in arrival order. Returns what was observed. */
  async record(
    stream: UplinkStream,
    seqsByCore: ReadonlyMap<string, readonly SequencePoint[]>,
    now: number,
  ): Promise<Map<string, SequenceObservation>> {
    const observations = new Map<string, SequenceObservation>();
    const cores = [...seqsByCore.keys()];
    const priors = new Map<string, SequenceState>();
    const keys = cores.map((core) => stateKey(stream, core));
    for (const item of await batchGetAll(this.client, this.tableName, keys)) {
      const state = toState(item);
      if (state) priors.set(String(item.pk).slice(`seq#${stream}#`.length), state);
    }
    for (const [core, seqs] of seqsByCore) {
      for (let attempt = 1; ; attempt += 1) {
        const prior = priors.get(core);
        const priorSeq = prior?.lastSeq;
        const observation = observeSequences(prior, seqs);
        observations.set(core, observation);
        // Nothing new (only re-deliveries): leave the store untouched so a replayed batch writes nothing.
        const advanced = prior === undefined || observation.next.lastSeq !== priorSeq || observation.resets > 0;
        if (!advanced && observation.gaps.length === 0) break;
        try {
          await this.write(stream, core, priorSeq, observation, now);
          break;
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !isConditionalCheckFailed(error)) throw error;
          const [fresh] = await batchGetAll(this.client, this.tableName, [stateKey(stream, core)]);
          const state = fresh ? toState(fresh) : undefined;
          if (state) priors.set(core, state);
          else priors.delete(core);
        }
      }
    }
    return observations;
  }

  /**
   * Gap records first (idempotent puts keyed by where the gap starts), then the state, conditional on
   * the value read: if that loses a race the caller re-reads, and no gap is ever left unrecorded
   * behind an advanced state.
   */
  private async write(
    stream: UplinkStream,
    core: string,
    priorSeq: number | undefined,
    observation: SequenceObservation,
    now: number,
  ): Promise<void> {
    const expiresAt = ttlSeconds(now + GAP_RETENTION_MS);
    for (let start = 0; start < observation.gaps.length; start += BATCH_WRITE_LIMIT) {
      let requests = observation.gaps.slice(start, start + BATCH_WRITE_LIMIT).map((gap) => ({
        PutRequest: {
          Item: {
            pk: `gap#${stream}#${core}`,
            sk: String(gap.from).padStart(12, '0'),
            from: gap.from,
            to: gap.to,
            detectedAt: now,
            expiresAt,
          },
        },
      }));
      for (let round = 0; requests.length > 0; round += 1) {
        if (round >= 8) throw new Error('gap records left unprocessed');
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.tableName] as typeof requests | undefined) ?? [];
      }
    }
    const missing = observation.gaps.reduce((sum, gap) => sum + gap.to - gap.from + 1, 0);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(stream, core),
        UpdateExpression:
          'SET lastSeq = :last, lastCreatedAt = :created, updatedAt = :now ADD gaps :gaps, missingEnvelopes :missing, behind :behind, resets :resets',
        ConditionExpression: priorSeq === undefined ? 'attribute_not_exists(pk)' : 'lastSeq = :prior',
        ExpressionAttributeValues: {
          ':last': observation.next.lastSeq,
          ':created': observation.next.lastCreatedAt,
          ':now': now,
          ':gaps': observation.gaps.length,
          ':missing': missing,
          ':behind': observation.behind,
          ':resets': observation.resets,
          ...(priorSeq === undefined ? {} : { ':prior': priorSeq }),
        },
      }),
    );
  }
}

function toState(item: Record<string, unknown>): SequenceState | undefined {
  return typeof item.lastSeq === 'number'
    ? { lastSeq: item.lastSeq, lastCreatedAt: typeof item.lastCreatedAt === 'number' ? item.lastCreatedAt : 0 }
    : undefined;
}
