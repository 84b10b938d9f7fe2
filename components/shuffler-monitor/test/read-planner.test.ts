import { describe, expect, it } from 'vitest';
import { planReads } from '../src/read-planner.js';
import { PointDefinition, type PointDefinitionInput } from '../src/register-map.js';

const p = (name: string, address: number, extra: Partial<PointDefinitionInput> = {}) =>
  PointDefinition.parse({ name, table: 'input', address, type: 'uint16', ...extra });
const tight = { maxRegisterGap: 0, maxBitGap: 0 };

describe('planReads', () => {
  it('GIVEN adjacent registers THEN one read covers them', () => {
    const plan = planReads([p('a', 0), p('b', 1, { type: 'uint32' }), p('c', 3)], tight);
    expect(plan.map((r) => [r.table, r.address, r.count, r.points.length])).toEqual([['input', 0, 4, 3]]);
  });

  it('GIVEN a gap within policy THEN it is read through; GIVEN a wider gap THEN a second read starts', () => {
    const points = [p('a', 0), p('b', 5), p('c', 20)];
    expect(planReads(points, { maxRegisterGap: 4, maxBitGap: 0 }).map((r) => [r.address, r.count])).toEqual([
      [0, 6],
      [20, 1],
    ]);
    expect(planReads(points, tight)).toHaveLength(3);
  });

  it('GIVEN points across 130 registers THEN no read exceeds 125 registers', () => {
    const points = Array.from({ length: 130 }, (_, i) => p(`r${i}`, i));
    const plan = planReads(points, { maxRegisterGap: 8, maxBitGap: 0 });
    expect(plan.map((r) => r.count)).toEqual([125, 5]);
    expect(plan.flatMap((r) => r.points)).toHaveLength(130);
  });

  it('GIVEN 2100 coils THEN reads are capped at 2000 bits', () => {
    const points = Array.from({ length: 2100 }, (_, i) => p(`c${i}`, i, { table: 'coil', type: 'bit' }));
    expect(planReads(points, tight).map((r) => r.count)).toEqual([2000, 100]);
  });

  it('GIVEN overlapping points (bits of one status word) THEN they share the register', () => {
    const plan = planReads(
      [p('s0', 3, { type: 'bit', bit: 0 }), p('s1', 3, { type: 'bit', bit: 1 }), p('x', 4, { type: 'float32' })],
      tight,
    );
    expect(plan.map((r) => [r.address, r.count, r.points.length])).toEqual([[3, 3, 3]]);
  });

  it('GIVEN several tables THEN each table is planned separately and in a stable order', () => {
    const plan = planReads(
      [p('d', 0, { table: 'discrete', type: 'bit' }), p('h', 0, { table: 'holding' }), p('i', 0)],
      tight,
    );
    expect(plan.map((r) => r.table)).toEqual(['holding', 'input', 'discrete']);
  });
});
