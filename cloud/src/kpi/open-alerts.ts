import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

/** Counts open maintenance alerts (raised or acknowledged) through the alerts table's byState index. */
export async function countOpenAlerts(client: DynamoDBDocumentClient, alertsTable: string): Promise<number> {
  let total = 0;
  for (const state of ['raised', 'acknowledged']) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await client.send(
        new QueryCommand({
          TableName: alertsTable,
          IndexName: 'byState',
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':s': state },
          Select: 'COUNT',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      total += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
  return total;
}
