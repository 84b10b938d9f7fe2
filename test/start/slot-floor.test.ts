import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePlayerTokenKey } from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutZones, loadSlotFloorScenario, prepareSlotFloor } from '../../scripts/start/slot-floor.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const demo = join(repositoryRoot, 'simulators', 'scenarios', 'slot-demo-live.json');
const overrides = {
  broker: { host: '127.0.0.1', port: 18883, caPath: '/floor/certs/ca.cert.pem' },
  certDir: '/floor/certs/smib',
  caDir: '/floor/certs',
  outDir: '/floor/simulators',
  playerTokenKeyPath: '',
};

describe('GIVEN the zones of a slot floor', () => {
  const zones = [
    { zoneId: 'main', banks: 2, machinesPerBank: 6 },
    { zoneId: 'high', banks: 1, machinesPerBank: 4 },
  ];
  const size = (zs: { banks: number; machinesPerBank: number }[]) =>
    zs.reduce((sum, z) => sum + z.banks * z.machinesPerBank, 0);

  it('WHEN cut to fewer machines than a bank THEN one bank of exactly that many remains', () => {
    expect(cutZones(zones, 2)).toEqual([{ zoneId: 'main', banks: 1, machinesPerBank: 2 }]);
  });

  it('WHEN cut past the first zone THEN it is kept whole and the next is cut', () => {
    const cut = cutZones(zones, 14);
    expect(cut.map((z) => z.zoneId)).toEqual(['main', 'high']);
    expect(size(cut)).toBe(14);
  });

  it('WHEN cut to an uneven count THEN it rounds up to whole banks of equal size', () => {
    expect(size(cutZones(zones, 7))).toBe(8);
  });
});

describe('GIVEN the demo slot scenario and the start command overrides', () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'slot-floor-'));
    overrides.playerTokenKeyPath = join(stateDir, 'secrets', 'player-token.key');
    await ensurePlayerTokenKey(overrides.playerTokenKeyPath);
  });
  afterAll(() => rm(stateDir, { recursive: true, force: true }));

  it('WHEN loaded THEN the SMIBs point at this floor, run open-ended, and SlotGateway gets their machines', async () => {
    const scenario = await loadSlotFloorScenario(demo, { ...overrides, machines: 3, seed: 11, timeScale: 120 });
    expect(scenario.seed).toBe(11);
    expect(scenario.live).toMatchObject({
      timeScale: 120,
      durationHours: 24 * 366,
      broker: {
        host: '127.0.0.1',
        port: 18883,
        caPath: '/floor/certs/ca.cert.pem',
        certDir: '/floor/certs/smib',
        issueMissingWith: { caDir: '/floor/certs', caName: 'ca' },
      },
      groundTruthPath: '/floor/simulators/slot-live-ground-truth.json',
    });
    const prepared = await prepareSlotFloor(scenario);
    expect(prepared.machines.map((m) => m.machineId)).toEqual(['SM-0001', 'SM-0002', 'SM-0003']);
    expect(prepared.playerTokenKey).toEqual(await ensurePlayerTokenKey(overrides.playerTokenKeyPath));
  });

  it('WHEN the scenario has no live section THEN it is refused by name', async () => {
    const history = join(repositoryRoot, 'simulators', 'scenarios', 'slot-small-floor.json');
    await expect(loadSlotFloorScenario(history, overrides)).rejects.toThrow(/has no "live" section/);
  });
});
