import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../common/dynamo.js';
import type { SessionState } from './player-ledger.js';
import { sessionFromItem, storedPlayerFromItem } from './rating-items.js';

/** One page of a player's sessions, newest first. */
export interface SessionPage {
  readonly sessions: SessionState[];
  readonly nextKey?: Item;
}

/**
 * Reads a player's sessions: the projections in the sessions table, overlaid with the live copies
 * on the player item, which are current to the last batch (an open session's projection may lag by
 * up to a minute).
 */
export async function readPlayerSessions(
  client: DynamoDBDocumentClient,
  tables: { players: string; sessions: string },
  playerToken: string,
  page: { limit: number; startKey?: Item } = { limit: 100 },
): Promise<SessionPage> {
  const [projected, player] = await Promise.all([
    client.send(
      new QueryCommand({
        TableName: tables.sessions,
        KeyConditionExpression: 'playerToken = :p',
        ExpressionAttributeValues: { ':p': playerToken },
        ScanIndexForward: false,
        Limit: page.limit,
        ...(page.startKey ? { ExclusiveStartKey: page.startKey } : {}),
      }),
    ),
    client.send(new GetCommand({ TableName: tables.players, Key: { playerToken }, ConsistentRead: true })),
  ]);
  const live = storedPlayerFromItem(playerToken, player.Item).live;
  const sessions = ((projected.Items as Item[] | undefined) ?? []).map((item) => {
    const session = sessionFromItem(item);
    return live.get(session.sessionId) ?? session;
  });
  return { sessions, ...(projected.LastEvaluatedKey ? { nextKey: projected.LastEvaluatedKey } : {}) };
}
