import type { PointValue } from './decode.js';

/** What was last published for one device, so the next reading can be judged news or not. */
export interface LastReport {
  readonly at: number;
  readonly values: ReadonlyMap<string, PointValue>;
}

/**
 * Report-by-exception: a reading is published when any value moved beyond its deadband (numbers), or
 * changed at all (booleans, strings, numbers with a zero deadband), or when `heartbeatMs` passed since the
 * last report, so silence always means "no change", never "no collector". Pure.
 */
export function shouldReport(
  last: LastReport | undefined,
  values: ReadonlyMap<string, PointValue>,
  deadbands: ReadonlyMap<string, number>,
  heartbeatMs: number,
  now: number,
): boolean {
  if (last === undefined || now - last.at >= heartbeatMs) return true;
  for (const [name, value] of values) {
    const previous = last.values.get(name);
    if (previous === undefined) return true;
    if (typeof value === 'number' && typeof previous === 'number') {
      if (Math.abs(value - previous) > (deadbands.get(name) ?? 0)) return true;
    } else if (value !== previous) {
      return true;
    }
  }
  return false;
}
