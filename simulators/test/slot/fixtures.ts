import { SlotFloorModelConfig } from '../../src/slot/scenario.js';

/** A fixed 32-byte development key: tests only. */
export const TEST_TOKEN_KEY = new Uint8Array(Array.from({ length: 32 }, (_, i) => i + 1));

/** A small floor with one zone of each kind of game and a busy population. */
export function smallFloorConfig(overrides: Partial<Record<string, unknown>> = {}): SlotFloorModelConfig {
  return SlotFloorModelConfig.parse({
    seed: 20261121,
    property: { propertyId: 'test-casino', timeZone: 'America/Los_Angeles', gamingDayStartHour: 6 },
    floor: {
      zones: [
        {
          zoneId: 'main-floor',
          banks: 3,
          machinesPerBank: 6,
          games: { 'penny-video': 3, 'nickel-video': 1, 'quarter-reels': 1, 'dollar-reels': 1, 'video-poker': 1 },
        },
        { zoneId: 'high-limit', banks: 1, machinesPerBank: 4, games: { 'high-limit-reels': 1 } },
      ],
    },
    players: { count: 300, tripsPerMonthMedian: 6 },
    ...overrides,
  });
}

/** 2026-11-20 18:00 in Las Vegas: an evening, when the floor is busy. */
export const EVENING_START_MS = Date.parse('2026-11-21T02:00:00Z');
