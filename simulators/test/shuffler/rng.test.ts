import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/random/rng.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};
const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('GIVEN the seeded random streams', () => {
  it('WHEN created from the same seed THEN they yield the same sequence; another seed differs', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = draw(50, () => a.next());
    expect(draw(50, () => b.next())).toEqual(seqA);
    expect(draw(50, () => c.next())).not.toEqual(seqA);
    expect(createRng('42').next()).toBe(createRng(42).next());
  });

  it('WHEN forked THEN a sub-stream depends only on the seed path, not on what the parent drew', () => {
    const parent = createRng(7);
    const early = draw(10, () => parent.fork('device:1').next());
    draw(1_000, () => parent.next());
    expect(draw(10, () => parent.fork('device:1').next())).toEqual(early);
    expect(parent.fork('device:1').seedPath).toBe('7/device:1');
    expect(parent.fork('device:2').next()).not.toBe(parent.fork('device:1').next());
  });

  it('THEN distributions have the right moments (10k draws, 5 sigma bounds)', () => {
    const rng = createRng('moments');
    const n = 10_000;
    const u = draw(n, () => rng.uniform(2, 4));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(4);
    expect(Math.abs(mean(u) - 3)).toBeLessThan(5 * Math.sqrt(1 / 3 / n));
    const z = draw(n, () => rng.normal(10, 2));
    expect(Math.abs(mean(z) - 10)).toBeLessThan(5 * (2 / Math.sqrt(n)));
    expect(Math.abs(Math.sqrt(variance(z)) - 2)).toBeLessThan(0.1);
    for (const lambda of [0.3, 4, 200]) {
      const p = draw(n, () => rng.poisson(lambda));
      expect(p.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
      expect(Math.abs(mean(p) - lambda), `poisson ${lambda}`).toBeLessThan(5 * Math.sqrt(lambda / n));
      expect(variance(p) / lambda, `poisson ${lambda}`).toBeGreaterThan(0.9);
      expect(variance(p) / lambda, `poisson ${lambda}`).toBeLessThan(1.1);
    }
    const e = draw(n, () => rng.exponential(0.5));
    expect(Math.abs(mean(e) - 2)).toBeLessThan(5 * (2 / Math.sqrt(n)));
    const ints = draw(n, () => rng.int(1, 6));
    expect(new Set(ints)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    const picks = draw(n, () => rng.weightedIndex([1, 0, 3]));
    expect(picks.includes(1)).toBe(false);
    expect(Math.abs(picks.filter((i) => i === 2).length / n - 0.75)).toBeLessThan(5 * Math.sqrt((0.75 * 0.25) / n));
    expect(['a', 'b']).toContain(rng.pick(['a', 'b']));
  });

  it('WHEN given impossible parameters THEN it refuses them', () => {
    const rng = createRng(1);
    expect(() => rng.pick([])).toThrow(RangeError);
    expect(() => rng.int(3, 1)).toThrow(RangeError);
    expect(() => rng.poisson(-1)).toThrow(RangeError);
    expect(() => rng.exponential(0)).toThrow(RangeError);
    expect(() => rng.weightedIndex([0, 0])).toThrow(RangeError);
  });
});
