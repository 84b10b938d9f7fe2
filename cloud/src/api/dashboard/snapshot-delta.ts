import { type DashboardSnapshot, SNAPSHOT_SECTIONS, type SnapshotDelta } from './dashboard-snapshot.js';

/**
 * What a client holding `previous` needs to reach `next`: the clock fields, and each section whose
 * content changed (compared by value). Pure.
 */
export function snapshotDelta(previous: DashboardSnapshot, next: DashboardSnapshot): SnapshotDelta {
  const delta: Record<string, unknown> = {
    generatedAt: next.generatedAt,
    floorTime: next.floorTime,
    windowMs: next.windowMs,
  };
  for (const section of SNAPSHOT_SECTIONS) {
    if (JSON.stringify(previous[section]) !== JSON.stringify(next[section])) delta[section] = next[section];
  }
  return delta as SnapshotDelta;
}
