import { MachineIdentity } from '@croupier/contracts';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/random/index.js';
import { buildFloorPlan } from '../../src/slot/floor-plan.js';
import { GamingDayCalendar } from '../../src/slot/gaming-day.js';
import { smallFloorConfig } from './fixtures.js';

describe('GIVEN a floor configuration', () => {
  const config = smallFloorConfig();
  const machines = buildFloorPlan(config.floor, createRng('plan').fork('floor'));

  it('THEN every machine is a valid MachineIdentity with a unique id and its own spot on the plan', () => {
    expect(machines.length).toBe(3 * 6 + 4);
    const ids = new Set(machines.map((m) => m.identity.machineId));
    const spots = new Set(machines.map((m) => `${m.identity.location.x}/${m.identity.location.y}`));
    expect(ids.size).toBe(machines.length);
    expect(spots.size).toBe(machines.length);
    for (const m of machines) expect(MachineIdentity.parse(m.identity)).toEqual(m.identity);
  });

  it('THEN each bank carries one game, and each hold and denomination is one the game is certified for', () => {
    const gamesByBank = new Map<string, Set<string>>();
    for (const m of machines) {
      const bank = m.identity.location.bank;
      gamesByBank.set(bank, (gamesByBank.get(bank) ?? new Set()).add(m.game.key));
      const [lo, hi] = m.game.holdRange;
      expect(m.paytable.theoreticalHold).toBeGreaterThanOrEqual(lo);
      expect(m.paytable.theoreticalHold).toBeLessThanOrEqual(hi);
      expect(m.identity.paytable.theoreticalHold).toBe(m.paytable.theoreticalHold);
      expect(m.game.denominationsCents).toContain(m.identity.denominationCents);
      expect(m.paytable.expectedReturn).toBeCloseTo(1 - m.paytable.theoreticalHold, 12);
    }
    for (const games of gamesByBank.values()) expect(games.size).toBe(1);
    expect(
      machines.filter((m) => m.identity.location.zone === 'high-limit').every((m) => m.game.key === 'high-limit-reels'),
    ).toBe(true);
  });
});

describe('GIVEN a property in Las Vegas whose gaming day starts at 06:00', () => {
  const calendar = new GamingDayCalendar('America/Los_Angeles', 6);

  it('THEN play before 06:00 local belongs to the previous gaming day, across the DST change too', () => {
    expect(calendar.dayOf(Date.parse('2026-11-21T13:59:59Z'))).toBe('2026-11-20'); // 05:59 PST
    expect(calendar.dayOf(Date.parse('2026-11-21T14:00:00Z'))).toBe('2026-11-21'); // 06:00 PST
    expect(calendar.dayOf(Date.parse('2026-07-04T12:59:00Z'))).toBe('2026-07-03'); // 05:59 PDT
    expect(calendar.dayOf(Date.parse('2026-07-04T13:00:00Z'))).toBe('2026-07-04'); // 06:00 PDT
    expect(calendar.localHourOf(Date.parse('2026-11-21T04:00:00Z'))).toBe(20);
  });
});
