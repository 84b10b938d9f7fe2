import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShufflerFloor, startShufflerFloor } from '../../src/shuffler/floor.js';
import { loadShufflerScenario, ShufflerScenario } from '../../src/shuffler/scenario.js';
import { closeClient, type ModbusRTU, readWholeProfile, rejectionOf, tcpClient } from './helpers.js';

const base = {
  name: 'floor-test',
  seed: 'floor',
  fleet: { size: 4, games: { blackjack: 1, poker: 1 } },
};

describe('GIVEN shuffler scenario files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuffler-scenario-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN the checked-in scenarios are loaded THEN they are valid', async () => {
    const demo = await loadShufflerScenario('simulators/scenarios/shuffler-floor-demo.json');
    expect(demo.fleet.size).toBe(8);
    expect(demo.live.faults.length).toBe(4);
    const history = await loadShufflerScenario('simulators/scenarios/shuffler-history-90d.json');
    expect(history.history?.days).toBe(90);
    expect(history.failures.noPrecursorShare).toBe(0.15);
  });

  it('WHEN a scenario is wrong THEN loading fails naming the file and each bad field', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(
      path,
      JSON.stringify({
        ...base,
        fleet: { size: 300 },
        failures: { noPrecursorShare: 1.5 },
        history: { start: '2026-01-01T00:00:00Z', days: 1, sampleSeconds: 7 },
      }),
    );
    const error = await rejectionOf(loadShufflerScenario(path));
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/fleet\.size/);
    expect(error.message).toMatch(/noPrecursorShare/);
    await writeFile(path, '{ not json');
    expect((await rejectionOf(loadShufflerScenario(path))).message).toContain(path);
    const faultBeyondFleet = ShufflerScenario.safeParse({ ...base, live: { faults: [{ unitId: 9, fromSeconds: 0 }] } });
    expect(faultBeyondFleet.success).toBe(false);
  });
});

describe('GIVEN a live floor started from a scenario with scheduled faults', () => {
  /** Long enough that the fault is still on when the first test reads, on a loaded machine too. */
  const FAULT_WINDOW_MS = 5_000;
  let startedAt: number;
  let floor: ShufflerFloor;
  let client: ModbusRTU;

  beforeAll(async () => {
    const scenario = ShufflerScenario.parse({
      ...base,
      live: {
        start: '2026-07-04T20:00:00Z',
        timeScale: 3_600,
        stepSeconds: 60,
        tcp: { port: 0 },
        faults: [{ unitId: 4, fromSeconds: 0, untilSeconds: FAULT_WINDOW_MS / 1_000, exceptionCode: 4 }],
      },
    });
    startedAt = Date.now();
    floor = await startShufflerFloor(scenario);
    client = await tcpClient(floor.tcp!.port, 1, 1_000);
  });

  afterAll(async () => {
    await closeClient(client);
    await floor.stop();
  });

  it('THEN the scheduled exception fault is on at first and off after its window', async () => {
    client.setID(4);
    expect((await rejectionOf(client.readInputRegisters(0, 2))).modbusCode).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, startedAt + FAULT_WINDOW_MS + 200 - Date.now()));
    expect((await readWholeProfile(client)).serialNumber).toBe(floor.units.get(4)!.config.serialNumber);
  });

  it('THEN every healthy unit answers with its fleet identity on the one TCP endpoint', async () => {
    for (const [unitId, device] of [...floor.units].filter(([unitId]) => unitId !== 4)) {
      client.setID(unitId);
      const all = await readWholeProfile(client);
      expect([all.serialNumber, all.game]).toEqual([device.config.serialNumber, device.config.game]);
    }
  });

  it('THEN simulated time runs at the time scale (an hour per real second)', async () => {
    client.setID(1);
    const before = (await client.readHoldingRegisters(12, 2)).data;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = (await client.readHoldingRegisters(12, 2)).data;
    const elapsed = after[0]! * 65_536 + after[1]! - (before[0]! * 65_536 + before[1]!);
    expect(elapsed).toBeGreaterThan(1_200);
    expect(elapsed).toBeLessThan(3_600 * 30);
  });
});
