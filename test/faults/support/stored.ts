import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LakeQueryEngine } from '@croupier/cloud/local/lake/lake-query-engine';
import { batchGetAll } from '@croupier/cloud/src/common/dynamo';
import { defaultTableNames } from '@croupier/cloud/src/common/table-names';
import { readAppliedEventIds } from '@croupier/cloud/src/rating/applied-event-store';
import type { EmittedSlotEvent, Phase } from './floor-publisher.js';

/** What the cloud holds of a set of emitted slot events. */
export interface SlotStored {
  /** Emitted events found in the lake's raw zone, each counted once. */
  readonly lakeDistinct: number;
  /** Extra raw copies (at-least-once raw zone; refinement removes them by eventId). */
  readonly lakeRepeats: number;
  /** Games the slot processor applied to these players' ratings in DynamoDB. */
  readonly dbGames: number;
  /** Emitted games the slot processor recorded as applied in DynamoDB: applied at least once. */
  readonly dbMarked: number;
  /** Emitted events missing from the lake, by the part of the fault they were emitted in. */
  readonly missingByPhase: Readonly<Record<Phase, number>>;
}

const tables = defaultTableNames();

/** Counts raw-zone rows per eventId of one stream, through DuckDB over the lake folder (the local Athena). */
export async function lakeCounts(lakeDir: string, stream: 'slot' | 'shuffler' | 'alert'): Promise<Map<string, number>> {
  const lake = await LakeQueryEngine.open(lakeDir);
  try {
    if (!(await lake.refresh()).includes(`raw_${stream}`)) return new Map();
    const rows = await lake.query(`SELECT eventId, count(*)::INTEGER AS n FROM raw_${stream} GROUP BY eventId`);
    return new Map(rows.map((r) => [String(r.eventId), Number(r.n)]));
  } finally {
    lake.close();
  }
}

/** Looks the emitted events up in the lake and in DynamoDB (player ratings and event markers). */
export async function slotStored(
  lakeDir: string,
  dynamo: DynamoDBDocumentClient,
  emitted: readonly EmittedSlotEvent[],
): Promise<SlotStored> {
  const counts = await lakeCounts(lakeDir, 'slot');
  let lakeDistinct = 0;
  let lakeRepeats = 0;
  const missingByPhase = { before: 0, during: 0, after: 0 };
  for (const event of emitted) {
    const n = counts.get(event.eventId) ?? 0;
    if (n > 0) lakeDistinct += 1;
    else missingByPhase[event.phase] += 1;
    lakeRepeats += Math.max(0, n - 1);
  }
  const games = emitted.filter((e) => e.type === 'game_played');
  const tokens = [...new Set(emitted.map((e) => e.playerToken))];
  const players = await batchGetAll(
    dynamo,
    tables.players,
    tokens.map((playerToken) => ({ playerToken })),
  );
  const dbGames = players.reduce((sum, p) => sum + Number(p.lifetimeGames ?? 0), 0);
  const marked = await readAppliedEventIds(
    dynamo,
    tables.ingest,
    games.map((g) => ({ playerToken: g.playerToken, eventId: g.eventId })),
  );
  return { lakeDistinct, lakeRepeats, dbGames, dbMarked: marked.size, missingByPhase };
}

/** Which of these alerts (device, alert id) the shuffler processor stored in the alerts table. */
export async function alertsStored(
  dynamo: DynamoDBDocumentClient,
  alerts: readonly { deviceId: string; alertId: string }[],
): Promise<number> {
  const items = await batchGetAll(
    dynamo,
    tables.alerts,
    alerts.map(({ deviceId, alertId }) => ({ deviceId, alertId })),
  );
  return items.length;
}
