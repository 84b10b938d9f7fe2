import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { MachineIdentity } from '@croupier/contracts';
import { forEachConcurrently } from '../../common/concurrency.js';
import { batchGetAll, type Item } from '../../common/dynamo.js';
import type { TableNames } from '../../common/table-names.js';
import { kpiValue } from '../../kpi/kpi-store.js';
import type { SessionState } from '../../rating/player-ledger.js';
import { type StoredPlayer, sessionFromItem, storedPlayerFromItem } from '../../rating/rating-items.js';
import type { DeviceHealth } from '../../shuffler-health/device-health.js';
import type { AlertLine, OfferLine } from './dashboard-snapshot.js';
import type { FloorDataSource, KpiReading } from './floor-data-source.js';

/** Machines queried at once; keeps one refresh within the table's burst capacity. */
const QUERY_CONCURRENCY = 8;
/**
 * Offers sort before `decision#…` and `ledger` items under a player: their ids are UUIDv7, whose
 * first hex digit is `0` for centuries to come.
 */
const FIRST_NON_OFFER_ID = 'decision#';

const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * The dashboard's view of the floor in DynamoDB: the same tables in AWS and on the local floor.
 * Sessions come from the byMachine index (one query per machine of the plan, since the window's
 * start), devices from a scan (a floor has tens to hundreds of shufflers), alerts from the byState
 * index. The floor plan is configuration (no table holds machine positions), read at each refresh.
 */
export class DynamoFloorSource implements FloorDataSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly plan: () => readonly MachineIdentity[],
  ) {}

  async machines(): Promise<readonly MachineIdentity[]> {
    return this.plan();
  }

  async sessionsSince(machineIds: readonly string[], sinceMs: number): Promise<SessionState[]> {
    const sessions: SessionState[] = [];
    const since = new Date(sinceMs).toISOString();
    await forEachConcurrently(machineIds, QUERY_CONCURRENCY, async (machineId) => {
      let startKey: Item | undefined;
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tables.sessions,
            IndexName: 'byMachine',
            KeyConditionExpression: 'machineId = :m AND startedAt >= :since',
            ExpressionAttributeValues: { ':m': machineId, ':since': since },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of (out.Items as Item[] | undefined) ?? []) sessions.push(sessionFromItem(item));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    });
    return sessions;
  }

  async players(tokens: readonly string[]): Promise<Map<string, StoredPlayer>> {
    const unique = [...new Set(tokens)];
    const items = await batchGetAll(
      this.client,
      this.tables.players,
      unique.map((playerToken) => ({ playerToken })),
    );
    return new Map(items.map((item) => [str(item.playerToken), storedPlayerFromItem(str(item.playerToken), item)]));
  }

  async offers(token: string, limit: number): Promise<OfferLine[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tables.offers,
        KeyConditionExpression: 'playerToken = :p AND offerId < :first',
        FilterExpression: 'attribute_exists(#status)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':p': token, ':first': FIRST_NON_OFFER_ID },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return ((out.Items as Item[] | undefined) ?? []).map((item) => ({
      offerId: str(item.offerId),
      kind: str(item.kind),
      valueCents: num(item.valueCents),
      status: str(item.status),
      decidedAt: num(item.decidedAt),
    }));
  }

  async devices(): Promise<DeviceHealth[]> {
    const devices: DeviceHealth[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({ TableName: this.tables.devices, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      for (const item of (out.Items as Item[] | undefined) ?? []) {
        devices.push({
          ...(item as unknown as DeviceHealth),
          deviceId: str(item.deviceId),
          version: num(item.version),
          lastEventTime: num(item.lastEventTime),
          openAlerts: (item.openAlerts as DeviceHealth['openAlerts'] | undefined) ?? {},
        });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return devices;
  }

  async openAlerts(limit: number): Promise<AlertLine[]> {
    const states = ['raised', 'acknowledged'] as const;
    const pages = await Promise.all(
      states.map((state) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tables.alerts,
            IndexName: 'byState',
            KeyConditionExpression: '#s = :s',
            ExpressionAttributeNames: { '#s': 'state' },
            ExpressionAttributeValues: { ':s': state },
            ScanIndexForward: false,
            Limit: limit,
          }),
        ),
      ),
    );
    return pages.flatMap((out, i) =>
      ((out.Items as Item[] | undefined) ?? []).map((item) => ({
        deviceId: str(item.deviceId),
        alertId: str(item.alertId),
        state: states[i]!,
        cause: str(item.cause),
        severity: str(item.severity),
        message: str(item.message),
        raisedAt: typeof item.raisedAtMs === 'number' ? item.raisedAtMs : Date.parse(str(item.raisedAt)),
        probability: typeof item.probability === 'number' ? item.probability : null,
      })),
    );
  }

  async kpis(metrics: readonly string[], fromIso: string, toIso: string): Promise<KpiReading[]> {
    const readings: KpiReading[] = [];
    await forEachConcurrently(metrics, QUERY_CONCURRENCY, async (metric) => {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tables.kpis,
          KeyConditionExpression: 'metric = :m AND #w BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#w': 'window' },
          ExpressionAttributeValues: { ':m': metric, ':from': fromIso, ':to': toIso },
        }),
      );
      for (const item of (out.Items as Item[] | undefined) ?? []) {
        if (str(item.window) < toIso) readings.push({ metric, windowStart: str(item.window), value: kpiValue(item) });
      }
    });
    return readings;
  }
}
