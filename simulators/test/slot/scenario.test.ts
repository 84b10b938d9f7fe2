import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlayerTokenKey, loadSlotScenario, parseSlotScenario, ScenarioError } from '../../src/slot/scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const scenariosDir = resolve(here, '../../scenarios');
const run = promisify(execFile);

describe('GIVEN the slot scenario files shipped with the simulators', () => {
  it('WHEN loaded THEN each validates, with paths resolved against the scenario folder and a usable key or key file path', async () => {
    const files = (await readdir(scenariosDir)).filter((f) => /^slot-.*\.json$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const scenario = await loadSlotScenario(join(scenariosDir, file));
      expect(scenario.live ?? scenario.history).toBeDefined();
      for (const path of [scenario.live?.groundTruthPath, scenario.history?.outDir]) {
        if (path !== undefined) expect(path.startsWith('/')).toBe(true);
      }
      // A key file (the demo's) is made by the local floor on first start, so a fresh clone has none yet.
      if (scenario.playerTokenKeyPath !== undefined) expect(scenario.playerTokenKeyPath.startsWith('/')).toBe(true);
      else expect((await loadPlayerTokenKey(scenario)).byteLength).toBeGreaterThanOrEqual(32);
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

  it('WHEN it names no player-token key THEN it is refused', () => {
    const noKey = {
      seed: 1,
      property: { propertyId: 'p', timeZone: 'Europe/London' },
      floor: { zones: [{ zoneId: 'z', banks: 1, machinesPerBank: 2, games: { 'penny-video': 1 } }] },
      players: { count: 10 },
    };
    expect(() => parseSlotScenario(noKey, '/tmp')).toThrow(
      'playerTokenKeyHex: set playerTokenKeyHex or playerTokenKeyPath',
    );
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

  it('WHEN run with tsx THEN it writes the lake layout and reports what it wrote', async () => {
    await writeFile(join(dir, 'key.hex'), 'ab'.repeat(32));
    const scenario = {
      seed: 'cli',
      property: { propertyId: 'p', timeZone: 'Europe/London' },
      floor: { zones: [{ zoneId: 'main', banks: 1, machinesPerBank: 4, games: { 'penny-video': 1 } }] },
      players: { count: 80, tripsPerMonthMedian: 20 },
      playerTokenKeyPath: 'key.hex',
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
  });
});
