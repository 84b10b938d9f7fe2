import { generateShufflerHistory, type ShufflerHistorySummary, ShufflerScenario } from '@croupier/simulators';

/**
 * A small simulated shuffler history written into `lakeDir` by the real history generator: a few
 * shufflers for a week, failing often, roller wear and motor degradation only, every failure with a
 * precursor and no preventive service, so a short run still holds failures worth predicting.
 */
export async function writeTinyHistory(
  lakeDir: string,
  options: { devices?: number; days?: number; seed?: number } = {},
): Promise<ShufflerHistorySummary> {
  const scenario = ShufflerScenario.parse({
    name: 'ml-tiny',
    seed: options.seed ?? 8_080,
    fleet: { size: options.devices ?? 6, games: { blackjack: 1, baccarat: 1, poker: 1 }, idPrefix: 'tiny' },
    failures: {
      meanHoursBetweenFailures: 30,
      mix: { roller_wear: 2, motor_degradation: 1 },
      noPrecursorShare: 0,
      preventiveServiceHours: null,
    },
    history: { start: '2026-01-01T00:00:00Z', days: options.days ?? 8, sampleSeconds: 300, stepSeconds: 60 },
  });
  return generateShufflerHistory(scenario, lakeDir);
}
