import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePoint, encodePoint } from '../src/decode.js';
import { PointDefinition, type PointDefinitionInput } from '../src/register-map.js';

const point = (p: Omit<PointDefinitionInput, 'name' | 'table' | 'address'> & Partial<PointDefinitionInput>) =>
  PointDefinition.parse({ name: 'p', table: 'holding', address: 10, ...p });
const regs = (data: number[]) => ({ kind: 'registers' as const, data });

describe('decodePoint', () => {
  it('GIVEN 32-bit words in each byte/word order THEN 0x12345678 decodes the same', () => {
    expect(decodePoint(point({ type: 'uint32' }), regs([0x1234, 0x5678]), 10)).toBe(0x12345678);
    expect(decodePoint(point({ type: 'uint32', wordOrder: 'little' }), regs([0x5678, 0x1234]), 10)).toBe(0x12345678);
    expect(decodePoint(point({ type: 'uint32', byteOrder: 'little' }), regs([0x3412, 0x7856]), 10)).toBe(0x12345678);
    expect(
      decodePoint(point({ type: 'uint32', byteOrder: 'little', wordOrder: 'little' }), regs([0x7856, 0x3412]), 10),
    ).toBe(0x12345678);
  });

  it('GIVEN signed types THEN two-complement values decode negative', () => {
    expect(decodePoint(point({ type: 'int16' }), regs([0xffff]), 10)).toBe(-1);
    expect(decodePoint(point({ type: 'int32' }), regs([0xffff, 0xfffe]), 10)).toBe(-2);
    expect(decodePoint(point({ type: 'int64' }), regs([0xffff, 0xffff, 0xffff, 0xfffd]), 10)).toBe(-3);
    expect(decodePoint(point({ type: 'uint64' }), regs([0, 1, 0, 0]), 10)).toBe(2 ** 32);
  });

  it('GIVEN IEEE floats THEN float32 and float64 decode, with scale and offset applied', () => {
    expect(decodePoint(point({ type: 'float32' }), regs([0x3fc0, 0x0000]), 10)).toBe(1.5);
    expect(decodePoint(point({ type: 'float64' }), regs([0x4009, 0x21fb, 0x5444, 0x2d18]), 10)).toBeCloseTo(
      Math.PI,
      12,
    );
    expect(decodePoint(point({ type: 'uint16', scale: 0.01, offset: -40 }), regs([6500]), 10)).toBeCloseTo(25, 10);
  });

  it('GIVEN a bit in a register THEN it reads that bit; GIVEN a coil block THEN it reads the coil', () => {
    expect(decodePoint(point({ type: 'bit', bit: 3 }), regs([0b1000]), 10)).toBe(true);
    expect(decodePoint(point({ type: 'bit', bit: 2 }), regs([0b1000]), 10)).toBe(false);
    expect(decodePoint(point({ type: 'bit', bit: 0, byteOrder: 'little' }), regs([0x0100]), 10)).toBe(true);
    expect(decodePoint(point({ table: 'coil', type: 'bit' }), { kind: 'bits', data: [false, true] }, 9)).toBe(true);
  });

  it('GIVEN ASCII registers THEN the string decodes without NUL padding, in either byte order', () => {
    expect(decodePoint(point({ type: 'string', length: 3 }), regs([0x5348, 0x2d31, 0x0000]), 10)).toBe('SH-1');
    expect(decodePoint(point({ type: 'string', length: 2, byteOrder: 'little' }), regs([0x4853, 0x312d]), 10)).toBe(
      'SH-1',
    );
  });

  it('GIVEN an enumeration THEN the code decodes to its label and an unknown code is an error', () => {
    const p = point({ type: 'uint16', values: ['idle', 'shuffling'] });
    expect(decodePoint(p, regs([1]), 10)).toBe('shuffling');
    expect(() => decodePoint(p, regs([7]), 10)).toThrow(/unknown code 7/);
  });

  it('GIVEN a block too short for the point THEN decoding fails loudly', () => {
    expect(() => decodePoint(point({ type: 'uint32' }), regs([1]), 10)).toThrow(/needs 2 registers/);
  });

  it('PROPERTY: encode then decode returns the value for every integer type and order', () => {
    const types = ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'] as const;
    const ranges: Record<(typeof types)[number], [number, number]> = {
      int16: [-32768, 32767],
      uint16: [0, 65535],
      int32: [-(2 ** 31), 2 ** 31 - 1],
      uint32: [0, 2 ** 32 - 1],
      int64: [-(2 ** 52), 2 ** 52],
      uint64: [0, 2 ** 53 - 1],
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.constantFrom('big', 'little'),
        fc.constantFrom('big', 'little'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (type, byteOrder, wordOrder, at) => {
          const [lo, hi] = ranges[type];
          const value = Math.round(lo + (hi - lo) * at);
          const p = point({ type, byteOrder, wordOrder });
          expect(decodePoint(p, regs(encodePoint(p, value)), 10)).toBe(value);
        },
      ),
    );
  });
});
