import { describe, expect, it } from 'vitest';
import { afterFailure, backoffDelay, mayPoll, ONLINE } from '../src/backoff.js';
import { nextDue } from '../src/poll-schedule.js';
import { shouldReport } from '../src/report-by-exception.js';

const policy = { initialMs: 100, maxMs: 1_000, multiplier: 2 };

describe('backoff', () => {
  it('GIVEN repeated failures THEN the delay doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('GIVEN a device in backoff THEN it may not be polled until retryAt', () => {
    const s1 = afterFailure(ONLINE, policy, 1_000);
    expect(s1).toEqual({ status: 'backoff', failures: 1, retryAt: 1_100 });
    expect(mayPoll(s1, 1_099)).toBe(false);
    expect(mayPoll(s1, 1_100)).toBe(true);
    expect(afterFailure(s1, policy, 1_100)).toEqual({ status: 'backoff', failures: 2, retryAt: 1_300 });
  });
});

describe('poll schedule', () => {
  it('GIVEN a missed slot THEN the next slot stays on the grid', () => {
    expect(nextDue(1_000, 100, 900)).toBe(1_000);
    expect(nextDue(1_000, 100, 1_000)).toBe(1_100);
    expect(nextDue(1_000, 100, 1_350)).toBe(1_400);
  });
});

describe('shouldReport', () => {
  const deadbands = new Map([['temp', 0.5]]);
  const last = {
    at: 0,
    values: new Map<string, number | string>([
      ['temp', 30],
      ['state', 'idle'],
    ]),
  };

  it('GIVEN no previous report THEN report', () => {
    expect(shouldReport(undefined, new Map([['temp', 30]]), deadbands, 60_000, 0)).toBe(true);
  });

  it('GIVEN changes inside the deadband THEN stay quiet until the heartbeat', () => {
    const now = new Map<string, number | string>([
      ['temp', 30.4],
      ['state', 'idle'],
    ]);
    expect(shouldReport(last, now, deadbands, 60_000, 59_999)).toBe(false);
    expect(shouldReport(last, now, deadbands, 60_000, 60_000)).toBe(true);
  });

  it('GIVEN a change beyond the deadband or of a label THEN report at once', () => {
    expect(
      shouldReport(
        last,
        new Map<string, number | string>([
          ['temp', 30.6],
          ['state', 'idle'],
        ]),
        deadbands,
        60_000,
        1,
      ),
    ).toBe(true);
    expect(
      shouldReport(
        last,
        new Map<string, number | string>([
          ['temp', 30],
          ['state', 'shuffling'],
        ]),
        deadbands,
        60_000,
        1,
      ),
    ).toBe(true);
  });
});
