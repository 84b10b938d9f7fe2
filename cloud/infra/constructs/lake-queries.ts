/**
 * Athena SQL over the lake, kept as pure functions so the named queries, the training dataset step
 * and their tests share one text. Table names are `{zone}_{stream}`, e.g. `refined_shuffler`.
 * Database and table names are plain lower-case identifiers, so they are never double-quoted: the
 * training query is embedded in a JSONata string where only single quotes are free to use.
 */
import type { LakeStream, LakeZone } from '@croupier/contracts';

/** Glue table name for one lake zone and stream. */
export function lakeTableName(zone: Exclude<LakeZone, 'errors'>, stream: LakeStream): string {
  return `${zone}_${stream}`;
}

/** Partition predicate for the last `days` UTC days (partition projection prunes on `dt`). */
function lastDays(days: number): string {
  return `dt >= date_format(current_date - interval '${days}' day, '%Y-%m-%d')`;
}

/** A named query: what operators see in the Athena console. */
export interface LakeQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** Queries every environment ships as Athena named queries. */
export function namedLakeQueries(database: string): LakeQuery[] {
  const t = (zone: 'raw' | 'refined', stream: LakeStream) => `${database}.${lakeTableName(zone, stream)}`;
  return [
    {
      name: 'coin-in-per-machine-hourly',
      description: 'Coin-in, games and actual win per machine per UTC hour, last 7 days (refined, de-duplicated).',
      sql: [
        'SELECT dt, hr, machineid, count(*) AS games, sum(wagercents) / 100.0 AS coin_in, sum(wagercents - wincents) / 100.0 AS actual_win',
        `FROM ${t('refined', 'slot')}`,
        `WHERE ${lastDays(7)} AND type = 'game_played'`,
        'GROUP BY dt, hr, machineid ORDER BY dt DESC, hr DESC, coin_in DESC',
      ].join('\n'),
    },
    {
      name: 'raw-duplicate-rate-daily',
      description: 'Share of raw slot events delivered more than once, per UTC day: the at-least-once overhead.',
      sql: [
        'SELECT dt, count(*) AS delivered, count(DISTINCT eventid) AS distinct_events,',
        '  1 - cast(count(DISTINCT eventid) AS double) / count(*) AS duplicate_share',
        `FROM ${t('raw', 'slot')}`,
        `WHERE ${lastDays(7)}`,
        'GROUP BY dt ORDER BY dt DESC',
      ].join('\n'),
    },
    {
      name: 'shuffler-faults-daily',
      description: 'Shuffler readings in fault state and the worst jam and misfeed counters per device per UTC day.',
      sql: [
        "SELECT dt, deviceid, count_if(state = 'fault') AS fault_readings,",
        '  max(counters.jamstotal) AS jams_total, max(counters.misfeedstotal) AS misfeeds_total',
        `FROM ${t('refined', 'shuffler')}`,
        `WHERE ${lastDays(30)}`,
        'GROUP BY dt, deviceid ORDER BY fault_readings DESC',
      ].join('\n'),
    },
  ];
}
