import type { LakeStream } from '@croupier/contracts';
import type { Json } from '@duckdb/node-api';
import { z } from 'zod';
import type { LakeQueryEngine } from './lake-query-engine.js';

/** Earliest and latest instants the contract allows (`EpochMillis`): the default window is all of it. */
const EPOCH_MIN_MS = 946_684_800_000;
const EPOCH_MAX_MS = 4_102_444_800_000;
const HOUR_MS = 3_600_000;

/** What every named query is given: the event-time window and the property's calendar. */
export const NamedQueryParams = z
  .object({
    /** Inclusive start of the event-time window, ms epoch. */
    from: z.int().min(EPOCH_MIN_MS).max(EPOCH_MAX_MS).default(EPOCH_MIN_MS),
    /** Exclusive end of the event-time window, ms epoch. */
    to: z.int().min(EPOCH_MIN_MS).max(EPOCH_MAX_MS).default(EPOCH_MAX_MS),
    /** IANA time zone of the property: gaming days and hours of day are property-local. */
    timeZone: z.string().refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'unknown IANA time zone' },
    ),
    /** Local hour a gaming day starts at; play before it belongs to the previous gaming day. */
    gamingDayStartHour: z.int().min(0).max(23),
    /** Rows at most, for ranked queries. */
    limit: z.int().min(1).max(100_000).default(20),
  })
  .refine((p) => p.from < p.to, { message: '--from must be before --to' });
export type NamedQueryParams = z.input<typeof NamedQueryParams>;
type Params = z.output<typeof NamedQueryParams>;

/** A query an operator runs by name: `npm run query -- <name>`. */
export interface NamedQuery {
  readonly name: string;
  readonly description: string;
  /** Raw lake streams it reads; a stream without objects yet reads as empty. */
  readonly streams: readonly LakeStream[];
  /** The statement; `$from`, `$to`, `$tz`, `$dayStart` and `$limit` are bound by {@link runNamedQuery}. */
  readonly sql: string;
}

/**
 * The columns a named query may read from each stream, typed, so a stream with no objects yet (a floor
 * that has not delivered alerts, a lake without a maintenance log) is an empty relation rather than an
 * error. Only the columns the queries below name are listed; the `--sql` escape hatch reads the views.
 */
const EMPTY_STREAM_COLUMNS: Readonly<Record<LakeStream, string>> = {
  slot: `NULL::VARCHAR AS eventId, NULL::BIGINT AS eventTime, NULL::VARCHAR AS type, NULL::VARCHAR AS machineId,
    NULL::VARCHAR AS playerToken, NULL::VARCHAR AS sessionId, NULL::VARCHAR AS gameId, NULL::BIGINT AS denominationCents,
    NULL::DOUBLE AS theoreticalHold, NULL::BIGINT AS wagerCents, NULL::BIGINT AS winCents,
    NULL::STRUCT(bank VARCHAR, zone VARCHAR, x DOUBLE, y DOUBLE) AS location`,
  shuffler: `NULL::VARCHAR AS eventId, NULL::BIGINT AS eventTime, NULL::VARCHAR AS type, NULL::VARCHAR AS deviceId,
    NULL::VARCHAR AS game, NULL::VARCHAR AS faultCode`,
  alert: `NULL::VARCHAR AS eventId, NULL::BIGINT AS eventTime, NULL::VARCHAR AS type, NULL::VARCHAR AS deviceId,
    NULL::VARCHAR AS alertId, NULL::VARCHAR AS state, NULL::VARCHAR AS cause, NULL::DOUBLE AS probability`,
  health: 'NULL::VARCHAR AS eventId, NULL::BIGINT AS eventTime, NULL::VARCHAR AS type',
  service: `NULL::VARCHAR AS eventId, NULL::BIGINT AS eventTime, NULL::VARCHAR AS type, NULL::VARCHAR AS deviceId,
    NULL::VARCHAR AS mode, NULL::BOOLEAN AS hadPrecursor, NULL::VARCHAR AS kind, NULL::BIGINT AS completedAt`,
};

/**
 * One stream as the refined zone defines it: each eventId once (at-least-once delivery leaves copies in
 * `raw/`; copies are identical by contract, so which one is kept changes nothing). `windowed` keeps the
 * events of the query window only, pruning day partitions first: an uplink envelope lands in the hour of
 * its first event, so an event may sit in the partition before its own, hence the one-day margin.
 */
function deduplicated(stream: LakeStream, windowed: boolean): string {
  const prune = windowed
    ? `WHERE dt BETWEEN CAST(epoch_ms($from::BIGINT) AS DATE) - 1 AND CAST(epoch_ms($to::BIGINT) AS DATE) + 1
         AND eventTime >= $from AND eventTime < $to`
    : '';
  return `SELECT * FROM raw_${stream} ${prune} QUALIFY row_number() OVER (PARTITION BY eventId ORDER BY eventTime) = 1`;
}

/** Property-local wall-clock time of an event time (ms epoch). */
const local = (column: string) => `timezone($tz, timezone('UTC', epoch_ms(${column})))`;
/** The gaming day of an event time: the local date, shifted back before the gaming day's start hour. */
const gamingDay = (column: string) => `CAST(${local(column)} - to_hours($dayStart::INTEGER) AS DATE)`;
/** Theo in exact integer micro-cents: holds are certified to six decimals, as the rating keeps them. */
const THEO_MICROS = 'wagerCents * CAST(round(theoreticalHold * 1000000) AS BIGINT)';

/** Fault codes a shuffler reports once it has failed (a jam clears by itself, so it is not one), and their modes. */
const FAILURE_FAULT_MODES = `CASE faultCode WHEN 'misfeed' THEN 'roller_wear' WHEN 'motor_stall' THEN 'motor_degradation'
  WHEN 'optical_sensor_fault' THEN 'optical_sensor_fault' END`;

/**
 * `maintenance`: the shufflers' failures and the moments they were back in a known state (`reset_at`).
 * From the maintenance log (the `service` stream) when the lake has one; otherwise observed in telemetry,
 * as a live floor without technicians' records shows them: a failure is the first reading of a failed
 * fault code, a recovery the first healthy reading after it.
 */
const MAINTENANCE = `logged AS (
    SELECT deviceId, type, eventTime, mode, hadPrecursor,
      CASE WHEN type = 'shuffler_service' THEN completedAt ELSE eventTime END AS reset_at
    FROM (${deduplicated('service', false)})
  ),
  readings AS (
    SELECT deviceId, eventTime, ${FAILURE_FAULT_MODES} AS failed_mode,
      lag(${FAILURE_FAULT_MODES}) OVER (PARTITION BY deviceId ORDER BY eventTime) AS previous_mode
    FROM (${deduplicated('shuffler', false)})
    WHERE type = 'shuffler_telemetry' AND faultCode IS NOT NULL AND faultCode <> 'comm_error'
  ),
  observed AS (
    SELECT deviceId, 'shuffler_failure' AS type, eventTime, failed_mode AS mode, NULL::BOOLEAN AS hadPrecursor,
      eventTime AS reset_at
    FROM readings WHERE failed_mode IS NOT NULL AND previous_mode IS DISTINCT FROM failed_mode
    UNION ALL
    SELECT deviceId, 'recovery', eventTime, NULL, NULL, eventTime
    FROM readings WHERE failed_mode IS NULL AND previous_mode IS NOT NULL
  ),
  maintenance AS (
    SELECT * FROM logged
    UNION ALL
    SELECT * FROM observed WHERE NOT EXISTS (SELECT 1 FROM logged WHERE type = 'shuffler_failure')
  )`;

/** The named queries, in the order `--list` shows them. */
export const NAMED_QUERIES: readonly NamedQuery[] = [
  {
    name: 'daily-active-players',
    description: 'Carded players with at least one game, per gaming day (property-local, from the day start hour)',
    streams: ['slot'],
    sql: `WITH slot AS (${deduplicated('slot', true)})
      SELECT ${gamingDay('eventTime')} AS gaming_day,
        count(DISTINCT playerToken)::INTEGER AS active_players,
        count(*)::INTEGER AS carded_games,
        sum(wagerCents)::DOUBLE AS carded_coin_in_cents
      FROM slot
      WHERE type = 'game_played' AND playerToken IS NOT NULL
      GROUP BY 1
      ORDER BY 1`,
  },
  {
    name: 'top-players-by-theo',
    description: 'Carded players ranked by theoretical win (Σ wager × theoretical hold), with coin-in and trips',
    streams: ['slot'],
    sql: `WITH slot AS (${deduplicated('slot', true)})
      SELECT playerToken AS player_token,
        (sum(${THEO_MICROS}) / 1000000)::DOUBLE AS theo_cents,
        sum(wagerCents)::DOUBLE AS coin_in_cents,
        count(*)::INTEGER AS games,
        count(DISTINCT ${gamingDay('eventTime')})::INTEGER AS trips,
        count(DISTINCT sessionId)::INTEGER AS sessions
      FROM slot
      WHERE type = 'game_played' AND playerToken IS NOT NULL
      GROUP BY 1
      ORDER BY theo_cents DESC, player_token
      LIMIT $limit`,
  },
  {
    name: 'hold-by-game-and-denomination',
    description: 'Coin-in, paid and actual hold against theoretical hold, per game and denomination',
    streams: ['slot'],
    sql: `WITH slot AS (${deduplicated('slot', true)})
      SELECT gameId AS game_id,
        denominationCents::INTEGER AS denomination_cents,
        count(DISTINCT machineId)::INTEGER AS machines,
        count(*)::INTEGER AS games,
        sum(wagerCents)::DOUBLE AS coin_in_cents,
        sum(winCents)::DOUBLE AS won_cents,
        CASE WHEN sum(wagerCents) > 0 THEN ((sum(wagerCents) - sum(winCents)) / sum(wagerCents))::DOUBLE END
          AS actual_hold,
        CASE WHEN sum(wagerCents) > 0 THEN (sum(${THEO_MICROS}) / 1000000 / sum(wagerCents))::DOUBLE END
          AS theoretical_hold
      FROM slot
      WHERE type = 'game_played'
      GROUP BY 1, 2
      ORDER BY coin_in_cents DESC, game_id, denomination_cents`,
  },
  {
    name: 'coin-in-heatmap-by-zone',
    description: 'Coin-in per floor zone and property-local hour of day: when each part of the floor is busy',
    streams: ['slot'],
    sql: `WITH slot AS (${deduplicated('slot', true)})
      SELECT location.zone AS zone,
        hour(${local('eventTime')})::INTEGER AS local_hour,
        count(DISTINCT machineId)::INTEGER AS machines,
        count(*)::INTEGER AS games,
        sum(wagerCents)::DOUBLE AS coin_in_cents
      FROM slot
      WHERE type = 'game_played'
      GROUP BY 1, 2
      ORDER BY 1, 2`,
  },
  {
    name: 'shuffler-mtbf',
    description:
      'Per shuffler: hours observed in telemetry, failures (maintenance log, else telemetry), mean hours between failures',
    streams: ['shuffler', 'service'],
    sql: `WITH telemetry AS (${deduplicated('shuffler', true)}),
      ${MAINTENANCE},
      observed_span AS (
        SELECT deviceId, any_value(game) AS game, min(eventTime) AS first_seen, max(eventTime) AS last_seen
        FROM telemetry WHERE type = 'shuffler_telemetry' GROUP BY 1
      ),
      failures AS (
        SELECT deviceId, count(*) AS failures, string_agg(DISTINCT mode, ',' ORDER BY mode) AS modes
        FROM maintenance
        WHERE type = 'shuffler_failure' AND eventTime >= $from AND eventTime < $to
        GROUP BY 1
      )
      SELECT o.deviceId AS device_id,
        o.game,
        ((o.last_seen - o.first_seen) / ${HOUR_MS})::DOUBLE AS observed_hours,
        coalesce(f.failures, 0)::INTEGER AS failures,
        CASE WHEN f.failures > 0 THEN ((o.last_seen - o.first_seen) / ${HOUR_MS} / f.failures)::DOUBLE END
          AS mtbf_hours,
        f.modes AS failure_modes
      FROM observed_span o LEFT JOIN failures f USING (deviceId)
      ORDER BY mtbf_hours NULLS LAST, device_id`,
  },
  {
    name: 'alert-lead-time',
    description:
      'Per shuffler failure: the first predictive alert raised since the previous failure or service, and how far ahead',
    streams: ['alert', 'service', 'shuffler'],
    sql: `WITH ${MAINTENANCE},
      alerts AS (${deduplicated('alert', false)}),
      failures AS (
        SELECT deviceId, eventTime AS failed_at, mode, hadPrecursor
        FROM maintenance
        WHERE type = 'shuffler_failure' AND eventTime >= $from AND eventTime < $to
      ),
      -- A device is back in a known state after a failure, a recovery, or when a service visit completes.
      resets AS (SELECT deviceId, reset_at AS at FROM maintenance),
      raised AS (
        SELECT deviceId, eventTime AS raised_at
        FROM alerts
        WHERE type = 'maintenance_alert' AND state = 'raised' AND cause = 'predicted_failure'
      ),
      scored AS (
        SELECT f.*,
          (SELECT max(r.at) FROM resets r WHERE r.deviceId = f.deviceId AND r.at < f.failed_at) AS since
        FROM failures f
      )
      SELECT s.deviceId AS device_id,
        s.mode,
        s.hadPrecursor AS had_precursor,
        epoch_ms(s.failed_at) AS failed_at,
        epoch_ms(min(a.raised_at)) AS first_alert_at,
        ((s.failed_at - min(a.raised_at)) / ${HOUR_MS})::DOUBLE AS lead_hours
      FROM scored s
      LEFT JOIN raised a
        ON a.deviceId = s.deviceId AND a.raised_at <= s.failed_at AND (s.since IS NULL OR a.raised_at > s.since)
      GROUP BY s.deviceId, s.mode, s.hadPrecursor, s.failed_at
      ORDER BY s.failed_at, device_id`,
  },
];

/** Looks a named query up; the error lists the names there are. */
export function namedQuery(name: string): NamedQuery {
  const query = NAMED_QUERIES.find((q) => q.name === name);
  if (!query) throw new Error(`no query named "${name}"; one of: ${NAMED_QUERIES.map((q) => q.name).join(', ')}`);
  return query;
}

/**
 * Runs a named query against the lake: views for the streams present are (re)made, streams without
 * objects get an empty view with the columns the query reads, then the statement runs with the
 * validated parameters bound (nothing is spliced into SQL).
 */
export async function runNamedQuery(
  engine: LakeQueryEngine,
  query: NamedQuery,
  params: NamedQueryParams,
): Promise<Record<string, Json>[]> {
  const p: Params = NamedQueryParams.parse(params);
  const present = new Set(await engine.refresh());
  for (const stream of query.streams) {
    if (!present.has(`raw_${stream}`)) {
      await engine.query(
        `CREATE OR REPLACE VIEW raw_${stream} AS SELECT ${EMPTY_STREAM_COLUMNS[stream]}, NULL::DATE AS dt WHERE false`,
      );
    }
  }
  const values: Record<string, string | number> = {
    from: p.from,
    to: p.to,
    tz: p.timeZone,
    dayStart: p.gamingDayStartHour,
    limit: p.limit,
  };
  // DuckDB refuses values for parameters a statement does not name.
  const bindings = Object.fromEntries(
    Object.entries(values).filter(([name]) => new RegExp(`\\$${name}\\b`).test(query.sql)),
  );
  return engine.query(query.sql, bindings);
}
