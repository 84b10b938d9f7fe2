import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlayerTokenKey, loadSlotScenario, parseSlotScenario, ScenarioError } from '../../src/slot/scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const scenariosDir = resolve(here, '../../scenarios');
const run = promisify(execFile);

/** A valid model with no key named: each test adds the key fields it is about. */
const MINIMAL = {
  seed: 1,
  property: { propertyId: 'p', timeZone: 'Europe/London' },
  floor: { zones: [{ zoneId: 'z', banks: 1, machinesPerBank: 2, games: { 'penny-video': 1 } }] },
  players: { count: 10 },
};

describe('GIVEN the slot scenario files shipped with the simulators', () => {
  it('WHEN loaded THEN each validates, with paths resolved against the scenario folder, the key file path included', async () => {
    const files = (await readdir(scenariosDir)).filter((f) => /^slot-.*\.json$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const scenario = await loadSlotScenario(join(scenariosDir, file));
      expect(scenario.live ?? scenario.history).toBeDefined();
      for (const path of [scenario.live?.groundTruthPath, scenario.history?.outDir]) {
        if (path !== undefined) expect(path.startsWith('/')).toBe(true);
      }
      expect(scenario.playerTokenKeyPath.startsWith('/')).toBe(true);
    }
  });
});

describe('GIVEN an invalid scenario', () => {
  it('WHEN parsed THEN every problem is reported with its path', () => {
    const bad = {
      seed: 1,
      property: { propertyId: 'p', timeZone: 'Mars/Olympus' },
      floor: { zones: [{ zoneId: 'z', banks: 0, machinesPerBank: 2, games: { pachinko: 1 } }] },
      players: { count: 10 },
    };
    expect(() => parseSlotScenario(bad, '/tmp')).toThrow(ScenarioError);
    try {
      parseSlotScenario(bad, '/tmp');
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain('property.timeZone: unknown IANA time zone');
      expect(message).toContain('floor.zones.0.banks');
      expect(message).toContain('floor.zones.0.games.pachinko');
    }
  });

  it('WHEN it names no player-token key file THEN it is refused', () => {
    expect(() => parseSlotScenario(MINIMAL, '/tmp')).toThrow('playerTokenKeyPath: required: the player-token key file');
  });

  it('WHEN it spells out a key THEN it is refused with the key file as the way out, even beside a key file', () => {
    for (const inline of [
      { ...MINIMAL, playerTokenKeyHex: 'ab'.repeat(32) },
      { ...MINIMAL, playerTokenKeyHex: 'ab'.repeat(32), playerTokenKeyPath: 'key.hex' },
    ]) {
      expect(() => parseSlotScenario(inline, '/tmp')).toThrow(
        'playerTokenKeyHex: a scenario must not carry a literal player-token key; name a key file with playerTokenKeyPath instead',
      );
    }
  });
});

describe('GIVEN a scenario naming a key file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-scenario-key-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN the file does not exist yet THEN the first load creates a 0600 key in a 0700 folder and the next load reuses it', async () => {
    const scenario = parseSlotScenario({ ...MINIMAL, playerTokenKeyPath: 'secrets/player-token.key' }, dir);
    const keyPath = join(dir, 'secrets', 'player-token.key');
    expect(scenario.playerTokenKeyPath).toBe(keyPath);
    const first = await loadPlayerTokenKey(scenario);
    expect(first.byteLength).toBe(32);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'secrets'))).mode & 0o777).toBe(0o700);
    expect((await readFile(keyPath, 'utf8')).trim()).toBe(Buffer.from(first).toString('hex'));
    expect(Buffer.from(await loadPlayerTokenKey(scenario))).toEqual(Buffer.from(first));
  });

  it('WHEN the file is readable by other users THEN loading refuses it as a scenario error', async () => {
    const keyPath = join(dir, 'open.key');
    await writeFile(keyPath, `${randomBytes(32).toString('hex')}\n`, { mode: 0o644 });
    await chmod(keyPath, 0o644);
    const scenario = parseSlotScenario({ ...MINIMAL, playerTokenKeyPath: 'open.key' }, dir);
    await expect(loadPlayerTokenKey(scenario)).rejects.toThrow(ScenarioError);
    await expect(loadPlayerTokenKey(scenario)).rejects.toThrow(/readable by other users/);
  });

  it('WHEN the file holds raw bytes instead of hex THEN loading refuses it', async () => {
    const keyPath = join(dir, 'raw.key');
    await writeFile(keyPath, randomBytes(48), { mode: 0o600 });
    const scenario = parseSlotScenario({ ...MINIMAL, playerTokenKeyPath: 'raw.key' }, dir);
    await expect(loadPlayerTokenKey(scenario)).rejects.toThrow(/not hex of at least 32 bytes/);
  });
});

describe('GIVEN the history CLI and a scenario with a two-hour history window', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN run with tsx on a fresh folder THEN it generates the key file (0600), writes the lake layout and reports what it wrote', async () => {
    const scenario = {
      seed: 'cli',
      property: { propertyId: 'p', timeZone: 'Europe/London' },
      floor: { zones: [{ zoneId: 'main', banks: 1, machinesPerBank: 4, games: { 'penny-video': 1 } }] },
      players: { count: 80, tripsPerMonthMedian: 20 },
      playerTokenKeyPath: 'secrets/player-token.key',
      history: { start: '2026-11-20T18:00:00Z', days: 2 / 24, outDir: 'lake' },
    };
    await writeFile(join(dir, 'scenario.json'), JSON.stringify(scenario));
    const cli = resolve(here, '../../src/history/slot-cli.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, join(dir, 'scenario.json')], {
      cwd: resolve(here, '../..'),
    });
    const report = JSON.parse(stdout) as { files: number; events: number };
    expect(report.events).toBeGreaterThan(100);
    const hours = await readdir(join(dir, 'lake/raw/slot/dt=2026-11-20'));
    expect(hours.every((h) => /^hr=\d{2}$/.test(h))).toBe(true);
    expect(hours.length).toBeGreaterThanOrEqual(2);
    const key = join(dir, 'secrets', 'player-token.key');
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect((await readFile(key, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('WHEN the scenario spells out a key THEN the CLI exits 1 with the clear message and no stack', async () => {
    const inline = {
      ...MINIMAL,
      playerTokenKeyHex: 'ab'.repeat(32),
      history: { start: '2026-11-20T18:00:00Z', days: 1 / 24, outDir: 'lake-inline' },
    };
    await writeFile(join(dir, 'inline.json'), JSON.stringify(inline));
    const cli = resolve(here, '../../src/history/slot-cli.ts');
    const failed = await run(process.execPath, ['--import', 'tsx', cli, join(dir, 'inline.json')], {
      cwd: resolve(here, '../..'),
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('playerTokenKeyHex: a scenario must not carry a literal player-token key');
    expect(failed?.stderr).not.toContain('    at ');
  });
});
