import { describe, expect, it } from 'vitest';
import {
  alertsLost,
  duplicated,
  type FaultRow,
  lostInLake,
  lostInRatings,
  renderFaultTable,
  survived,
} from './support/fault-row.js';

const row = (over: Partial<FaultRow>): FaultRow => ({
  fault: 'a fault',
  promised: true,
  emitted: 100,
  lakeStored: 100,
  lakeRepeats: 0,
  games: 80,
  dbGames: 80,
  alertsEmitted: 4,
  alertsStored: 4,
  discardedBatches: 0,
  recoverMs: 1_500,
  note: 'n',
  ...over,
});

describe('fault rows', () => {
  it('GIVEN everything stored once THEN nothing is lost or duplicated and the fault is survived', () => {
    const r = row({ lakeRepeats: 30 });
    expect([lostInLake(r), lostInRatings(r), duplicated(r), alertsLost(r), survived(r)]).toEqual([0, 0, 0, 0, true]);
  });

  it('GIVEN events missing from the lake and games missing from the ratings THEN each store counts its own loss', () => {
    const r = row({ lakeStored: 90, dbGames: 72 });
    expect([lostInLake(r), lostInRatings(r), duplicated(r), survived(r)]).toEqual([10, 8, 0, false]);
  });

  it('GIVEN games rated twice THEN they count as duplicated, and raw-zone repeats do not', () => {
    const r = row({ dbGames: 85, lakeRepeats: 12 });
    expect([lostInLake(r), lostInRatings(r), duplicated(r), survived(r)]).toEqual([0, 0, 5, false]);
  });

  it('GIVEN rows THEN the table has one line per fault, marks a promised failure and escapes pipes', () => {
    const table = renderFaultTable([
      row({}),
      row({ fault: 'b', alertsStored: 3, recoverMs: undefined, note: 'x | y' }),
      row({ fault: 'c', promised: false, lakeStored: 10 }),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toContain('| survived |');
    expect(lines[3]).toContain('| never | **FAILED** | x \\| y |');
    expect(lines[4]).toContain('| no |');
    expect(lines[4]).toContain('| not survived |');
  });
});
