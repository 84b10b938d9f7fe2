import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ManualClock, manualClock } from '../../src/shuffler/clock.js';
import { HEALTHY, MODBUS_EXCEPTIONS } from '../../src/shuffler/comm-faults.js';
import type { SimulatedShuffler } from '../../src/shuffler/device.js';
import { SHUFFLER_PROFILE } from '../../src/shuffler/register-map.js';
import { type ShufflerSerialServer, startShufflerSerialServer } from '../../src/shuffler/serial-server.js';
import {
  closeClient,
  expectedMeaning,
  ModbusRTU,
  makeShuffler,
  openPtyPair,
  type PtyPair,
  readWholeProfile,
  rejectionOf,
  socatPath,
} from './helpers.js';

const socat = socatPath();
if (!socat) {
  console.warn(
    'SKIPPING Modbus RTU tests: socat is not installed (apt-get install socat) to make a pseudo-terminal pair',
  );
}

describe.skipIf(!socat)('GIVEN two shufflers on one RTU bus over a socat pseudo-terminal pair', () => {
  let clock: ManualClock;
  let pty: PtyPair;
  let units: Map<number, SimulatedShuffler>;
  let server: ShufflerSerialServer;
  let client: ModbusRTU;

  beforeAll(async () => {
    pty = await openPtyPair(socat!);
    clock = manualClock(Date.UTC(2026, 2, 1, 9));
    units = new Map([
      [3, makeShuffler({ deviceId: 'shf-bj-03', serialNumber: 'CRP-BJ-0000003', game: 'blackjack', clock })],
      [4, makeShuffler({ deviceId: 'shf-pk-04', serialNumber: 'CRP-PK-0000004', game: 'poker', clock })],
    ]);
    clock.advance(10 * 3_600_000);
    server = await startShufflerSerialServer({ units, path: pty.a, baudRate: 38_400 });
    client = new ModbusRTU();
    await client.connectRTUBuffered(pty.b, { baudRate: 38_400 });
    client.setTimeout(1_500);
  });

  afterAll(async () => {
    if (client) await closeClient(client);
    if (server) await server.close();
    if (pty) await pty.close();
  });

  it('WHEN a client reads every table of each unit THEN every documented point has its documented meaning', async () => {
    for (const [unitId, device] of units) {
      client.setID(unitId);
      const read = await readWholeProfile(client);
      const expected = expectedMeaning(device.view());
      expect(Object.keys(expected).sort()).toEqual(SHUFFLER_PROFILE.map((p) => p.name).sort());
      for (const [name, { value, tolerance }] of Object.entries(expected)) {
        if (tolerance !== undefined) {
          expect(Math.abs((read[name] as number) - (value as number)), name).toBeLessThanOrEqual(tolerance);
        } else {
          expect(read[name], name).toEqual(value);
        }
      }
      expect(read.serialNumber).toBe(device.config.serialNumber);
    }
  });

  it('WHEN a unit id nobody serves is asked THEN the bus stays silent', async () => {
    client.setID(9);
    expect((await rejectionOf(client.readHoldingRegisters(0, 1))).message).toMatch(/Timed out/);
  });

  it('WHEN frames are corrupted THEN the client sees a CRC error, and the next healthy read succeeds', async () => {
    client.setID(3);
    units.get(3)!.setFaults({ corruptFrames: true });
    expect((await rejectionOf(client.readHoldingRegisters(0, 15))).message).toMatch(/CRC error/);
    units.get(3)!.setFaults(HEALTHY);
    expect((await client.readHoldingRegisters(10, 1)).data).toEqual([6]);
  });

  it('WHEN the unit is offline THEN the client times out; WHEN busy THEN exception 0x06', async () => {
    client.setID(4);
    units.get(4)!.setFaults({ offline: true });
    expect((await rejectionOf(client.readInputRegisters(0, 2))).message).toMatch(/Timed out/);
    units.get(4)!.setFaults({ offline: false, exceptionCode: MODBUS_EXCEPTIONS.serverDeviceBusy });
    expect((await rejectionOf(client.readInputRegisters(0, 2))).modbusCode).toBe(0x06);
    units.get(4)!.setFaults({ exceptionCode: null, delayMs: 200 });
    const started = performance.now();
    expect((await client.readHoldingRegisters(10, 1)).data).toEqual([1]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    units.get(4)!.setFaults(HEALTHY);
  });
});
