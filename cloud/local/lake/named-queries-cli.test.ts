import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { lakeObjectName, lakePartition, SCHEMA_VERSION } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueryOptions } from './named-queries-options.js';
import { renderTable } from './named-queries-table.js';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const defaults = { lake: '/repo/.croupier/lake', timeZone: 'America/Los_Angeles', gamingDayStartHour: 6 };

describe('GIVEN the query command line', () => {
  it('WHEN a named query is given THEN its window, limit and calendar are typed, with the defaults filled in', () => {
    expect(
      parseQueryOptions(
        ['top-players-by-theo', '--from', '2026-11-01', '--to', '1764547200000', '--limit', '5'],
        {},
        defaults,
      ),
    ).toEqual({
      mode: 'named',
      name: 'top-players-by-theo',
      from: Date.parse('2026-11-01T00:00:00Z'),
      to: 1_764_547_200_000,
      limit: 5,
      timeZone: 'America/Los_Angeles',
      gamingDayStartHour: 6,
      lake: '/repo/.croupier/lake',
      json: false,
    });
  });

  it('WHEN --lake is relative and --sql is given THEN the lake is taken from where the user stood', () => {
    expect(
      parseQueryOptions(['--sql', 'SELECT 1', '--lake', 'lake', '--json'], { INIT_CWD: '/home/me' }, defaults),
    ).toEqual({ mode: 'sql', sql: 'SELECT 1', lake: '/home/me/lake', json: true });
    expect(parseQueryOptions(['--list'], {}, defaults)).toEqual({ mode: 'list' });
  });

  it('WHEN the command line is wrong THEN the error names the problem and shows the usage', () => {
    expect(() => parseQueryOptions(['holds'], {}, defaults)).toThrow(/no query named "holds"[\s\S]*usage:/);
    expect(() => parseQueryOptions(['shuffler-mtbf', '--from', 'yesterday'], {}, defaults)).toThrow(
      /--from must be YYYY-MM-DD/,
    );
    expect(() => parseQueryOptions([], {}, defaults)).toThrow(/name a query \(see --list\) or give --sql/);
    expect(() => parseQueryOptions(['shuffler-mtbf', '--sql', 'SELECT 1'], {}, defaults)).toThrow(/not both/);
    expect(() => parseQueryOptions(['shuffler-mtbf', '--verbose'], {}, defaults)).toThrow(/--verbose/);
  });
});

describe('GIVEN rows to print', () => {
  it('WHEN rendered THEN numbers align right, text left, nulls are blank and the rows are counted', () => {
    expect(
      renderTable([
        { zone: 'main-floor', coin_in_cents: 125000, hold: 0.08123 },
        { zone: 'high-limit', coin_in_cents: 5, hold: null },
      ]),
    ).toBe(
      [
        'zone        coin_in_cents    hold',
        '──────────  ─────────────  ──────',
        'main-floor         125000  0.0812',
        'high-limit              5',
        '(2 rows)',
      ].join('\n'),
    );
    expect(renderTable([])).toBe('(no rows)');
  });
});

describe('GIVEN `npm run query` on a lake with one duplicated game', () => {
  let lake: string;
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), 'scripts/query.ts', ...args], {
        cwd: repositoryRoot,
        env: { ...process.env, INIT_CWD: repositoryRoot },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'query-cli-'));
    const eventTime = Date.parse('2026-11-21T04:00:00Z');
    const game = {
      eventId: '019aa4f0-0000-7000-8000-000000000001',
      eventTime,
      schemaVersion: SCHEMA_VERSION,
      type: 'game_played',
      machineId: 'SM-0001',
      location: { bank: 'A', zone: 'main-floor', x: 1, y: 2 },
      gameId: 'penny-video',
      paytableId: 'pv-92',
      theoreticalHold: 0.08,
      denominationCents: 1,
      wagerCents: 250,
      winCents: 100,
      playerToken: 'a'.repeat(64),
      sessionId: '019aa4f0-0000-7000-8000-000000000000',
    };
    const partition = join(lake, lakePartition('raw', 'slot', eventTime));
    await mkdir(partition, { recursive: true });
    for (const writer of ['a', 'b']) {
      await writeFile(
        join(partition, lakeObjectName(writer, eventTime, 1, 'jsonl.gz')),
        gzipSync(`${JSON.stringify(game)}\n`),
      );
    }
  });

  afterAll(async () => {
    await rm(lake, { recursive: true, force: true });
  });

  it('WHEN a named query runs with --json THEN the game counts once', async () => {
    const { code, stdout } = await run(['top-players-by-theo', '--lake', lake, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { player_token: 'a'.repeat(64), theo_cents: 20, coin_in_cents: 250, games: 1, trips: 1, sessions: 1 },
    ]);
  });

  it('WHEN --sql runs THEN it reads the raw view, duplicates included, and prints a table', async () => {
    const { code, stdout } = await run(['--sql', 'SELECT count(*)::INTEGER AS copies FROM raw_slot', '--lake', lake]);
    expect(code).toBe(0);
    expect(stdout).toBe('copies\n──────\n     2\n(1 row)\n');
  });

  it('WHEN the query is unknown THEN it exits 1 naming the queries there are', async () => {
    const { code, stderr } = await run(['hold', '--lake', lake]);
    expect(code).toBe(1);
    expect(stderr).toContain('no query named "hold"; one of: daily-active-players');
  });
});
