import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlertState, INITIAL_ALERT_STATE, stepAlert } from '../src/hysteresis.js';

const policy = { raiseAt: 0.7, clearAt: 0.4, confirmations: 3, minDwellMs: 10 * 60_000 };

function run(series: readonly number[], everyMs = 60_000) {
  let state: AlertState = INITIAL_ALERT_STATE;
  const changes: { at: number; change: 'raised' | 'cleared' }[] = [];
  series.forEach((p, i) => {
    const out = stepAlert(state, p, i * everyMs, policy);
    state = out.state;
    if (out.change) changes.push({ at: i * everyMs, change: out.change });
  });
  return changes;
}

/** A deterministic noise source (LCG), so the noisy series is the same on every run. */
function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
}

describe('alert hysteresis', () => {
  it('GIVEN a noisy probability hovering around the raise threshold THEN the alert does not flap', () => {
    const rnd = noise(42);
    const series = Array.from({ length: 600 }, () => 0.7 + 0.12 * rnd());
    const changes = run(series);
    // Without hysteresis this series crosses 0.7 about 300 times; with it, at most one raise and no clear
    // (it never gets down to 0.4).
    expect(series.filter((p, i) => i > 0 && p >= 0.7 !== series[i - 1]! >= 0.7).length).toBeGreaterThan(100);
    expect(changes.map((c) => c.change)).toEqual(['raised']);
  });

  it('GIVEN a noisy rise, plateau and fall THEN exactly one raise then one clear', () => {
    const rnd = noise(7);
    const level = (i: number) => (i < 100 ? 0.2 : i < 300 ? 0.85 : 0.15);
    const series = Array.from({ length: 400 }, (_, i) => Math.min(1, Math.max(0, level(i) + 0.3 * rnd())));
    expect(run(series).map((c) => c.change)).toEqual(['raised', 'cleared']);
  });

  it('GIVEN isolated spikes above the threshold THEN no alert is raised', () => {
    const series = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 0.95 : 0.3));
    expect(run(series)).toEqual([]);
  });

  it('PROPERTY: any series changes state only after the confirmations, and never faster than the dwell', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 300 }), (series) => {
        const changes = run(series);
        for (let i = 1; i < changes.length; i += 1) {
          expect(changes[i]!.at - changes[i - 1]!.at).toBeGreaterThanOrEqual(policy.minDwellMs);
          expect(changes[i]!.change).not.toBe(changes[i - 1]!.change);
        }
        for (const c of changes) {
          const at = c.at / 60_000;
          const recent = series.slice(at - policy.confirmations + 1, at + 1);
          expect(recent).toHaveLength(policy.confirmations);
          if (c.change === 'raised') expect(recent.every((p) => p >= policy.raiseAt)).toBe(true);
          else expect(recent.every((p) => p <= policy.clearAt)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
