import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/shuffler/clock.js';
import { ModbusException } from '../../src/shuffler/device.js';
import { makeShuffler } from './helpers.js';

const START = Date.UTC(2026, 8, 1, 12);

describe('GIVEN a live simulated shuffler on a simulated clock', () => {
  it('WHEN polled often or not at all THEN its state at a simulated time is the same (whole fixed steps)', () => {
    const polledClock = manualClock(START);
    const idleClock = manualClock(START);
    const polled = makeShuffler({ deviceId: 'd', serialNumber: 'S', game: 'baccarat', clock: polledClock, seed: 4 });
    const idle = makeShuffler({ deviceId: 'd', serialNumber: 'S', game: 'baccarat', clock: idleClock, seed: 4 });
    for (let i = 0; i < 500; i += 1) {
      polledClock.advance(37_000);
      polled.view();
    }
    idleClock.advance(500 * 37_000);
    expect(idle.view()).toEqual(polled.view());
    expect(idle.events).toEqual(polled.events);
  });

  it('WHEN a coil outside the profile is written THEN it refuses with illegal data address', () => {
    const device = makeShuffler({ deviceId: 'd', serialNumber: 'S', game: 'poker', clock: manualClock(START) });
    expect(() => device.writeCoil(7, true)).toThrow(ModbusException);
    try {
      device.writeCoil(7, true);
    } catch (err) {
      expect((err as ModbusException).modbusErrorCode).toBe(0x02);
    }
  });
});
