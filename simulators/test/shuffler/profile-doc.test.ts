import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PROFILE_DOC_PATH, renderProfileDoc } from '../../src/shuffler/profile-doc.js';
import {
  decodeWords,
  encodeWords,
  pointsOf,
  pointWidth,
  type RegisterPoint,
  SHUFFLER_PROFILE,
  tableSize,
} from '../../src/shuffler/register-map.js';

describe('GIVEN the Croupier shuffler Modbus profile', () => {
  it('THEN the checked-in document is the one generated from the register table (run write-profile-doc.ts if not)', async () => {
    expect(await readFile(PROFILE_DOC_PATH, 'utf8')).toBe(renderProfileDoc());
  });

  it('THEN every table is contiguous from 0 with no overlaps, and names are unique', () => {
    for (const table of ['input_register', 'holding_register', 'coil', 'discrete_input'] as const) {
      let next = 0;
      for (const point of pointsOf(table)) {
        expect(point.address, point.name).toBe(next);
        next += pointWidth(point);
      }
      expect(tableSize(table)).toBe(next);
    }
    expect(new Set(SHUFFLER_PROFILE.map((p) => p.name)).size).toBe(SHUFFLER_PROFILE.length);
  });

  it('THEN encodings round-trip at their documented resolution, high word first', () => {
    const byName = (name: string) => SHUFFLER_PROFILE.find((p) => p.name === name) as RegisterPoint;
    expect(encodeWords(byName('shufflesTotal'), 0x0001_2345)).toEqual([0x0001, 0x2345]);
    expect(encodeWords(byName('motorCurrentAmps'), 1.5)).toEqual([0x3fc0, 0x0000]);
    expect(encodeWords(byName('cycleTimeSeconds'), 61.237)).toEqual([6124]);
    expect(decodeWords(byName('cycleTimeSeconds'), [6124])).toBe(61.24);
    expect(encodeWords(byName('cycleTimeSeconds'), 1e9)).toEqual([0xffff]);
    expect(encodeWords(byName('serialNumber'), 'AB-1')).toEqual([0x4142, 0x2d31, 0, 0, 0, 0, 0, 0]);
    expect(decodeWords(byName('serialNumber'), [0x4142, 0x2d31, 0, 0, 0, 0, 0, 0])).toBe('AB-1');
    expect(encodeWords(byName('faultCode'), 'optical_sensor_fault')).toEqual([7]);
    expect(() => encodeWords(byName('faultCode'), 'comm_error')).toThrow(RangeError);
    expect(encodeWords(byName('sensorStatus'), { inputTrayOptical: true, doorClosed: true })).toEqual([0b1001]);
  });
});
