import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Offer, OfferResponse } from '@croupier/contracts';
import { batchGetAll, type Item, isConditionalCheckFailed, ttlSeconds } from '../common/dynamo.js';
import { ExpressionBuilder } from '../common/update-expression.js';
import { ResponsibleGamingEntry } from './responsible-gaming.js';

/** The per-player offer ledger: what was given back per trip, and when the last offer went out. */
export interface OfferLedger {
  readonly spentByDay: Readonly<Record<string, number>>;
  readonly lastOfferAt?: number;
}

/** An audit record of one decision. */
export interface DecisionRecord {
  readonly playerToken: string;
  readonly sessionId: string;
  readonly machineId: string;
  readonly milestone: number;
  readonly decidedAt: number;
  readonly outcome: 'offer' | 'no_offer';
  readonly reason: string;
  readonly tier: string;
  readonly adtCents: number;
  readonly budgetCents: number;
  readonly model: string;
  readonly score?: number;
  readonly offerId?: string;
  readonly delivered?: boolean;
}

const LEDGER_KEY = 'ledger';
const SPENT_PREFIX = 'spent#';

/**
 * Offers, decisions and the offer ledger in the offers table (`offerId` sort key: an offer's UUID,
 * `decision#...` for decisions, `ledger` for the ledger), and reads of the responsible-gaming list.
 */
export class OfferStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { offers: string; responsibleGaming: string },
    private readonly decisionRetentionMs: number,
  ) {}

  /** Responsible-gaming entries of many players; entries that do not parse are treated as listing. */
  async loadResponsibleGaming(tokens: readonly string[]): Promise<Map<string, ResponsibleGamingEntry>> {
    const items = await batchGetAll(
      this.client,
      this.tables.responsibleGaming,
      tokens.map((playerToken) => ({ playerToken })),
    );
    return new Map(items.map((item) => [String(item.playerToken), toEntry(item)]));
  }

  /** One player's entry, read strongly consistent past any cache: the last check before an offer leaves. */
  async freshResponsibleGaming(playerToken: string): Promise<ResponsibleGamingEntry | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tables.responsibleGaming, Key: { playerToken }, ConsistentRead: true }),
    );
    return out.Item ? toEntry(out.Item) : undefined;
  }

  async loadLedgers(tokens: readonly string[]): Promise<Map<string, OfferLedger>> {
    const items = await batchGetAll(
      this.client,
      this.tables.offers,
      tokens.map((playerToken) => ({ playerToken, offerId: LEDGER_KEY })),
    );
    const out = new Map<string, OfferLedger>();
    for (const item of items) {
      const spentByDay: Record<string, number> = {};
      for (const [name, value] of Object.entries(item)) {
        if (name.startsWith(SPENT_PREFIX) && typeof value === 'number')
          spentByDay[name.slice(SPENT_PREFIX.length)] = value;
      }
      out.set(String(item.playerToken), {
        spentByDay,
        ...(typeof item.lastOfferAt === 'number' ? { lastOfferAt: item.lastOfferAt } : {}),
      });
    }
    return out;
  }

  /**
   * Reserves an offer's value against the trip's budget and the cool-down, atomically: the ledger
   * update is conditional on the spend staying within the budget and the last offer being old
   * enough, so two racing decisions can never overspend. Returns false when the condition fails.
   */
  async reserve(
    playerToken: string,
    day: string,
    valueCents: number,
    budgetCents: number,
    decidedAt: number,
    cooldownMs: number,
    staleDays: readonly string[],
  ): Promise<boolean> {
    const expr = new ExpressionBuilder().add(`${SPENT_PREFIX}${day}`, valueCents).set('lastOfferAt', decidedAt);
    for (const stale of staleDays) expr.remove(`${SPENT_PREFIX}${stale}`);
    const condition = expr.condition(
      (n, v) =>
        `(attribute_not_exists(${n(`${SPENT_PREFIX}${day}`)}) OR ${n(`${SPENT_PREFIX}${day}`)} <= ${v(
          budgetCents - valueCents,
        )}) AND (attribute_not_exists(${n('lastOfferAt')}) OR ${n('lastOfferAt')} <= ${v(decidedAt - cooldownMs)})`,
    );
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.offers,
          Key: { playerToken, offerId: LEDGER_KEY },
          UpdateExpression: expr.expression(),
          ConditionExpression: condition,
          ExpressionAttributeNames: expr.names,
          ExpressionAttributeValues: expr.values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Stores an offer with its TTL; false if an offer with this id already exists. */
  async putOffer(offer: Offer, core: string, property: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.offers,
          Item: {
            ...offer,
            expiresAtMs: offer.expiresAt,
            // DynamoDB TTL wants epoch seconds.
            expiresAt: ttlSeconds(offer.expiresAt),
            status: 'sent',
            core,
            property,
          },
          ConditionExpression: 'attribute_not_exists(offerId)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async putDecision(record: DecisionRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tables.offers,
        Item: {
          ...record,
          offerId: `decision#${new Date(record.decidedAt).toISOString()}#${record.sessionId}#${record.milestone}`,
          ...(record.offerId ? { offerRef: record.offerId } : {}),
          expiresAt: ttlSeconds(record.decidedAt + this.decisionRetentionMs),
        },
      }),
    );
  }

  /**
   * Records a player's answer to an offer once: only an offer still `sent` takes a response.
   * Returns false when the offer is unknown, expired, or already answered.
   */
  async respond(response: OfferResponse): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.offers,
          Key: { playerToken: response.playerToken, offerId: response.offerId },
          UpdateExpression: 'SET #status = :response, respondedAt = :at',
          ConditionExpression: 'attribute_exists(offerId) AND #status = :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':response': response.response, ':at': response.respondedAt, ':sent': 'sent' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

/** A stored entry that does not parse still blocks: it is read as an indefinite self-exclusion. */
function toEntry(item: Item): ResponsibleGamingEntry {
  const parsed = ResponsibleGamingEntry.safeParse(item);
  if (parsed.success) return parsed.data;
  return {
    playerToken: String(item.playerToken),
    kind: 'self_excluded',
    since: 946_684_800_000,
    updatedBy: 'unreadable-entry',
    updatedAt: 946_684_800_000,
  };
}
