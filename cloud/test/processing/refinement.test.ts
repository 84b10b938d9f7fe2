import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { lakeObjectName, lakePartition } from '@croupier/contracts';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refinePartitionWithDuckDb } from '../../src/refinement/duckdb-refinement.js';
import { athenaRefinementStatement, refinementQuery } from '../../src/refinement/refinement-sql.js';
import { playSession } from './support/play.js';

const HOUR = Date.UTC(2026, 10, 21, 20);

describe('lake refinement', () => {
  let lake: string;
  const play = playSession({
    playerToken: 'd'.repeat(64),
    machineId: 'slot-7',
    start: HOUR + 60_000,
    games: 8,
    wagerCents: 100,
    hold: 0.05,
    cardOut: true,
  });
  const nextHour = playSession({
    playerToken: 'e'.repeat(64),
    machineId: 'slot-8',
    start: HOUR + 3_700_000,
    games: 2,
    wagerCents: 5,
    hold: 0.05,
  });

  const writeRaw = async (events: readonly object[], eventTime: number, seq: number) => {
    const dir = join(lake, lakePartition('raw', 'slot', eventTime));
    await mkdir(dir, { recursive: true });
    const body = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
    await writeFile(join(dir, lakeObjectName('firehose', eventTime, seq, 'jsonl.gz')), gzipSync(body));
  };

  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'croupier-lake-'));
    // At-least-once delivery: the second file repeats part of the first, and one event appears three times.
    await writeRaw(play.events.slice(0, 7), HOUR, 0);
    await writeRaw([...play.events.slice(4), play.events[5]!], HOUR, 1);
    await writeRaw(nextHour.events, HOUR + 3_700_000, 2);
  });
  afterAll(async () => rm(lake, { recursive: true, force: true }));

  it('GIVEN a raw partition with duplicates WHEN refined on DuckDB THEN each event appears once, other partitions untouched, and a rerun is idempotent', async () => {
    const first = await refinePartitionWithDuckDb(lake, 'slot', { dt: '2026-11-21', hr: '20' });
    expect(first).toEqual({ rawRows: 7 + 7, refinedRows: play.events.length });
    const again = await refinePartitionWithDuckDb(lake, 'slot', { dt: '2026-11-21', hr: '20' });
    expect(again).toEqual(first);

    const refinedDir = join(lake, 'refined', 'slot', 'dt=2026-11-21');
    expect(await readdir(refinedDir)).toEqual(['hr=20']);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const rows = (
      await connection.runAndReadAll(
        `SELECT eventid, type, wagercents, dt, hr FROM read_parquet('${lake}/refined/slot/*/*/*.parquet', hive_partitioning = true) ORDER BY eventtime, eventid`,
      )
    ).getRowObjectsJson();
    connection.closeSync();
    instance.closeSync();
    expect(rows.map((r) => r.eventid)).toEqual(play.events.map((e) => e.eventId));
    expect(new Set(rows.map((r) => `${r.dt}/${r.hr}`))).toEqual(new Set(['2026-11-21/20']));
    const wagers = rows.filter((r) => r.type === 'game_played').map((r) => Number(r.wagercents));
    expect(wagers).toEqual(Array(8).fill(100));
  });

  it('GIVEN the Athena statement THEN it is the same query over the Glue tables, and hostile input is refused', () => {
    const columns = ['eventId', 'eventTime', 'schemaVersion', 'type', 'wagerCents'];
    const partition = { dt: '2026-11-21', hr: '20' };
    const athena = athenaRefinementStatement('croupier_lake', 'slot', columns, partition);
    expect(athena).toBe(
      `INSERT INTO "croupier_lake"."refined_slot"\n${refinementQuery('"croupier_lake"."raw_slot"', columns, partition)}`,
    );
    expect(athena).toContain("WHERE dt = '2026-11-21' AND hr = '20'");
    expect(() => refinementQuery('raw', [...columns, 'x; DROP TABLE y'], partition)).toThrow(/refusing column/);
    expect(() => refinementQuery('raw', columns, { dt: "2026-11-21' OR 1=1 --", hr: '20' })).toThrow();
  });
});
