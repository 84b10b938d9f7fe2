import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ManualClock, manualClock } from '../../src/shuffler/clock.js';
import { HEALTHY, MODBUS_EXCEPTIONS } from '../../src/shuffler/comm-faults.js';
import type { SimulatedShuffler } from '../../src/shuffler/device.js';
import { decodeRegisterBlock, SHUFFLER_PROFILE, tableSize } from '../../src/shuffler/register-map.js';
import { type ShufflerTcpServer, startShufflerTcpServer } from '../../src/shuffler/tcp-server.js';
import { shufflerTelemetry, TELEMETRY_SOURCES } from '../../src/shuffler/telemetry.js';
import {
  closeClient,
  expectedMeaning,
  type ModbusRTU,
  makeShuffler,
  readWholeProfile,
  rejectionOf,
  tcpClient,
} from './helpers.js';

const HOUR = 3_600_000;

function expectMeaning(read: Record<string, unknown>, device: SimulatedShuffler): void {
  const expected = expectedMeaning(device.view());
  expect(Object.keys(expected).sort()).toEqual(SHUFFLER_PROFILE.map((p) => p.name).sort());
  for (const [name, { value, tolerance }] of Object.entries(expected)) {
    if (tolerance !== undefined) {
      expect(Math.abs((read[name] as number) - (value as number)), name).toBeLessThanOrEqual(tolerance);
    } else {
      expect(read[name], name).toEqual(value);
    }
  }
}

describe('GIVEN three shufflers behind one Modbus TCP endpoint', () => {
  let clock: ManualClock;
  let units: Map<number, SimulatedShuffler>;
  let server: ShufflerTcpServer;
  let client: ModbusRTU;

  beforeAll(async () => {
    clock = manualClock(Date.UTC(2026, 0, 5, 18));
    units = new Map([
      [1, makeShuffler({ deviceId: 'shf-bj-01', serialNumber: 'CRP-BJ-0000001', game: 'blackjack', clock })],
      [2, makeShuffler({ deviceId: 'shf-bac-02', serialNumber: 'CRP-BAC-000002', game: 'baccarat', clock })],
      [17, makeShuffler({ deviceId: 'shf-pk-17', serialNumber: 'CRP-PK-0000017', game: 'poker', clock })],
    ]);
    clock.advance(30 * HOUR);
    server = await startShufflerTcpServer({ units, port: 0 });
    client = await tcpClient(server.port, 1, 1_000);
  });

  afterAll(async () => {
    await closeClient(client);
    await server.close();
  });

  it('WHEN a client reads every table of each unit THEN every documented point has its documented meaning', async () => {
    for (const [unitId, device] of units) {
      client.setID(unitId);
      expectMeaning(await readWholeProfile(client), device);
    }
  });

  it('THEN the units are told apart by unit id on one connection', async () => {
    const seen: Record<number, unknown> = {};
    for (const unitId of units.keys()) {
      client.setID(unitId);
      const all = await readWholeProfile(client);
      seen[unitId] = [all.serialNumber, all.game, all.decks];
    }
    expect(seen).toEqual({
      1: ['CRP-BJ-0000001', 'blackjack', 6],
      2: ['CRP-BAC-000002', 'baccarat', 8],
      17: ['CRP-PK-0000017', 'poker', 1],
    });
  });

  it('THEN 32-bit values are high word first and ASCII has the first character in the high byte', async () => {
    client.setID(2);
    const { state } = units.get(2)!.view();
    const words = (await client.readInputRegisters(4, 2)).data;
    expect(words[0]! * 65_536 + words[1]!).toBe(state.shufflesTotal);
    const current = (await client.readInputRegisters(14, 2)).data;
    const bytes = Buffer.alloc(4);
    bytes.writeUInt16BE(current[0]!, 0);
    bytes.writeUInt16BE(current[1]!, 2);
    expect(bytes.readFloatBE(0)).toBe(Math.fround(state.motorCurrentAmps));
    const serial = (await client.readHoldingRegisters(1, 1)).data;
    expect(serial[0]).toBe(('C'.charCodeAt(0) << 8) | 'R'.charCodeAt(0));
  });

  it('THEN the telemetry the history generator writes is exactly what a poll of the input registers reads', async () => {
    client.setID(17);
    const read = decodeRegisterBlock(
      'input_register',
      0,
      (await client.readInputRegisters(0, tableSize('input_register'))).data,
    );
    const event = shufflerTelemetry(
      units.get(17)!.view(),
      '0190a0a0-0000-7000-8000-000000000000',
      Date.UTC(2026, 0, 6),
    );
    for (const [field, point] of Object.entries(TELEMETRY_SOURCES)) {
      const value = field.split('.').reduce<unknown>((o, key) => (o as Record<string, unknown>)[key], event);
      if (typeof value === 'number') expect(value, field).toBeCloseTo(read[point] as number, 4);
      else expect(value, field).toEqual(read[point]);
    }
  });

  it('WHEN time passes THEN counters grow and hours since service follow the simulated clock', async () => {
    client.setID(17);
    const before = await readWholeProfile(client);
    clock.advance(2 * HOUR);
    const after = await readWholeProfile(client);
    expect(after.shufflesTotal as number).toBeGreaterThan(before.shufflesTotal as number);
    expect(after.deviceTime as number).toBe((before.deviceTime as number) + 7_200);
    expect(after.hoursSinceService as number).toBeCloseTo((before.hoursSinceService as number) + 2, 3);
  });

  it('WHEN the service-mode coil is set THEN state, status word, discrete inputs and door follow, and shuffling stops', async () => {
    client.setID(1);
    await client.writeCoil(0, true);
    const shuffles = (await readWholeProfile(client)).shufflesTotal;
    clock.advance(HOUR);
    const all = await readWholeProfile(client);
    expect(all.serviceMode).toBe(true);
    expect(all.operatingState).toBe('service');
    expect(all.serviceModeActive).toBe(true);
    expect(all.doorOpen).toBe(true);
    expect((all.statusWord as Record<string, boolean>).inService).toBe(true);
    expect((all.sensorStatus as Record<string, boolean>).doorClosed).toBe(false);
    expect(all.shufflesTotal).toBe(shuffles);
    await client.writeCoil(0, false);
    expect((await readWholeProfile(client)).serviceMode).toBe(false);
  });

  it('WHEN reset-counters and service-complete are pulsed THEN counters are zeroed and hours since service restart', async () => {
    client.setID(2);
    await client.writeCoil(1, true);
    await client.writeCoil(2, true);
    const all = await readWholeProfile(client);
    expect([all.shufflesTotal, all.misfeedsTotal, all.jamsTotal, all.cardCountErrorsTotal]).toEqual([0, 0, 0, 0]);
    expect(all.hoursSinceService).toBe(0);
    expect(all.cardsFedSinceService).toBe(0);
    expect([all.resetCounters, all.serviceComplete]).toEqual([false, false]);
    expect(units.get(2)!.events.at(-1)).toMatchObject({ type: 'service', kind: 'preventive' });
  });

  it('WHEN the RW float32 alarm threshold is written THEN it reads back and drives status bit 7; read-only and bad values are refused', async () => {
    client.setID(17);
    const bytes = Buffer.alloc(4);
    bytes.writeFloatBE(0.01);
    await client.writeRegisters(14, [bytes.readUInt16BE(0), bytes.readUInt16BE(2)]);
    const all = await readWholeProfile(client);
    expect(all.motorCurrentAlarmAmps).toBeCloseTo(0.01, 6);
    expect((all.statusWord as Record<string, boolean>).motorCurrentHigh).toBe(true);
    expect((await rejectionOf(client.writeRegister(9, 1))).modbusCode).toBe(MODBUS_EXCEPTIONS.illegalDataAddress);
    bytes.writeFloatBE(-1);
    const bad = client.writeRegisters(14, [bytes.readUInt16BE(0), bytes.readUInt16BE(2)]);
    expect((await rejectionOf(bad)).modbusCode).toBe(MODBUS_EXCEPTIONS.illegalDataValue);
  });

  it('WHEN a read runs past the end of a table or names an unserved unit THEN the answer is exception 0x02 or 0x0B', async () => {
    client.setID(1);
    const size = tableSize('input_register');
    expect((await rejectionOf(client.readInputRegisters(size - 1, 2))).modbusCode).toBe(0x02);
    client.setID(99);
    expect((await rejectionOf(client.readInputRegisters(0, 1))).modbusCode).toBe(0x0b);
  });

  describe('WHEN communication faults are injected on unit 2', () => {
    it('THEN offline makes the client time out while unit 1 keeps answering', async () => {
      units.get(2)!.setFaults({ offline: true });
      client.setID(2);
      expect((await rejectionOf(client.readInputRegisters(0, 4))).message).toMatch(/Timed out/);
      client.setID(1);
      expect((await client.readHoldingRegisters(9, 1)).data).toEqual([0]);
      units.get(2)!.setFaults(HEALTHY);
      client.setID(2);
      expect((await client.readHoldingRegisters(9, 1)).data).toEqual([1]);
    });

    it('THEN a delay slows every answer and beyond the client timeout it times out', async () => {
      units.get(2)!.setFaults({ delayMs: 250 });
      client.setID(2);
      const started = performance.now();
      expect((await client.readHoldingRegisters(10, 1)).data).toEqual([8]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);
      units.get(2)!.setFaults({ delayMs: 1_600 });
      expect((await rejectionOf(client.readHoldingRegisters(10, 1))).message).toMatch(/Timed out/);
      units.get(2)!.setFaults(HEALTHY);
      // Let the late answer arrive and be discarded before the next test.
      await new Promise((resolve) => setTimeout(resolve, 800));
    });

    it('THEN exception responses carry the injected code (0x04 device failure, 0x06 busy)', async () => {
      client.setID(2);
      for (const code of [MODBUS_EXCEPTIONS.serverDeviceFailure, MODBUS_EXCEPTIONS.serverDeviceBusy]) {
        units.get(2)!.setFaults({ exceptionCode: code });
        expect((await rejectionOf(client.readInputRegisters(0, 26))).modbusCode).toBe(code);
        expect((await rejectionOf(client.readCoils(0, 3))).modbusCode).toBe(code);
        expect((await rejectionOf(client.writeCoil(0, true))).modbusCode).toBe(code);
      }
      units.get(2)!.setFaults(HEALTHY);
    });

    it('THEN corrupt frames are garbage the client refuses, and the connection recovers afterwards', async () => {
      units.get(2)!.setFaults({ corruptFrames: true });
      client.setID(2);
      expect((await rejectionOf(client.readHoldingRegisters(0, 15))).message).toMatch(/Unexpected data|Data length/);
      units.get(2)!.setFaults(HEALTHY);
      expect((await client.readHoldingRegisters(10, 1)).data).toEqual([8]);
    });
  });
});
