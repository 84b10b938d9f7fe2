import type { ShufflerMaintenanceRecord } from '@croupier/contracts';
import { FEATURE_WINDOW } from '@croupier/failure-predictor';
import { describe, expect, it } from 'vitest';
import { CSV_HEADER, featureRowsToCsv, parseFeatureCsv } from '../dataset/channel-format.js';
import { downIntervals, type FeatureRow, labelFor } from '../dataset/feature-rows.js';
import { SplitOptions, splitDataset } from '../dataset/split.js';

const HOUR = 3_600_000;
const ids = Array.from({ length: 40 }, (_, i) => `shf-${String(i + 1).padStart(3, '0')}`);
const period = { startMs: Date.UTC(2026, 0, 1), endMs: Date.UTC(2026, 3, 1) };

describe('split by device and time', () => {
  const gap = 72 * HOUR + FEATURE_WINDOW.durationMs;
  const split = splitDataset(ids, period, gap, SplitOptions.parse({}));

  it('GIVEN a fleet THEN no device is in two channels and every device is in one', () => {
    const all = [...split.train.deviceIds, ...split.validation.deviceIds, ...split.test.deviceIds];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(split.test.deviceIds).toHaveLength(10);
    expect(split.validation.deviceIds).toHaveLength(8);
  });

  it('GIVEN horizon and window THEN the test period starts at least both after the training period ends', () => {
    expect(split.test.fromMs - split.train.toMs).toBeGreaterThanOrEqual(72 * HOUR + FEATURE_WINDOW.durationMs);
    expect(split.validation.toMs).toBe(split.train.toMs);
    expect(split.train.fromMs).toBe(period.startMs);
  });

  it('GIVEN the same ids in another order THEN the split is the same', () => {
    const again = splitDataset([...ids].reverse(), period, gap, SplitOptions.parse({}));
    expect(again).toEqual(split);
  });

  it('GIVEN too short a period for the gap THEN it refuses rather than leak', () => {
    expect(() =>
      splitDataset(ids, { startMs: 0, endMs: 4 * 24 * HOUR }, 5 * 24 * HOUR, SplitOptions.parse({})),
    ).toThrow(/no training period/);
    expect(() => splitDataset(['a', 'b'], period, gap, SplitOptions.parse({}))).toThrow(/cannot be split/);
  });
});

describe('labels', () => {
  it('GIVEN time to failure and time observed THEN a row is positive, negative or censored for a horizon', () => {
    expect(labelFor({ hoursToFailure: 10, hoursObserved: 11 }, 24)).toBe(1);
    expect(labelFor({ hoursToFailure: 30, hoursObserved: 100 }, 24)).toBe(0);
    expect(labelFor({ hoursToFailure: null, hoursObserved: 100 }, 24)).toBe(0);
    // No failure seen, but the data ends before the horizon does: unknown, not healthy.
    expect(labelFor({ hoursToFailure: null, hoursObserved: 5 }, 24)).toBeNull();
  });

  it('GIVEN failures and services THEN the down intervals run from the failure to the end of the repair', () => {
    const base = { schemaVersion: '1.0', deviceId: 'shf-001' } as const;
    const records: ShufflerMaintenanceRecord[] = [
      {
        ...base,
        eventId: '019bde69-a5c9-7d0a-ab9b-5de34a66abb0',
        eventTime: 10 * HOUR,
        type: 'shuffler_failure',
        mode: 'roller_wear',
        hadPrecursor: true,
      },
      {
        ...base,
        eventId: '019bde69-a5c9-7d0a-ab9b-5de34a66abb1',
        eventTime: 12 * HOUR,
        type: 'shuffler_service',
        kind: 'repair',
        completedAt: 13 * HOUR,
      },
      {
        ...base,
        eventId: '019bde69-a5c9-7d0a-ab9b-5de34a66abb2',
        eventTime: 50 * HOUR,
        type: 'shuffler_service',
        kind: 'preventive',
        completedAt: 51 * HOUR,
      },
    ];
    expect(downIntervals(records)).toEqual([
      [10 * HOUR, 13 * HOUR],
      [50 * HOUR, 51 * HOUR],
    ]);
  });
});

describe('channel CSV', () => {
  it('GIVEN rows THEN they read back exactly, doubles included', () => {
    const rows: FeatureRow[] = [
      {
        deviceId: 'shf-001',
        windowEnd: 1_767_225_600_000,
        hoursToFailure: 12.5,
        hoursObserved: 100,
        down: false,
        features: [0.1 + 0.2, 1 / 3, 0, 1.0000000000000002, 5e-324, -0.5, 1e21, 0.25, 0, 719.9999],
      },
      {
        deviceId: 'shf-002',
        windowEnd: 1_767_225_900_000,
        hoursToFailure: null,
        hoursObserved: 3,
        down: true,
        features: [0, 0, 0, 1, 1, 30, 0, 0, 1, 2],
      },
    ];
    const parsed = parseFeatureCsv(`${CSV_HEADER}\n${featureRowsToCsv(rows)}\n`, 'test.csv');
    expect(parsed).toEqual(rows);
  });

  it('GIVEN a file of another feature set THEN it is refused', () => {
    expect(() => parseFeatureCsv('device_id,window_end_ms\nshf,1\n', 'old.csv')).toThrow(/does not match/);
  });
});
