import { type ShufflerGame, ShufflerGame as ShufflerGames } from '@croupier/contracts';
import type { Rng } from '../random/rng.js';
import type { FailurePolicy, ShufflerConfig } from './model.js';
import type { ShufflerScenario } from './scenario.js';

/** One fleet member: its Modbus unit id (1-based, in fleet order) and what it is. */
export interface FleetMember {
  readonly unitId: number;
  readonly config: ShufflerConfig;
}

/**
 * The fleet a scenario describes. Games are drawn from the scenario's weights with a `fleet` sub-stream,
 * so the same seed always builds the same fleet; ids and serials follow the unit id.
 */
export function buildFleet(scenario: ShufflerScenario, root: Rng): FleetMember[] {
  const rng = root.fork('fleet');
  const games = ShufflerGames.options;
  const weights = games.map((g: ShufflerGame) => scenario.fleet.games[g] ?? 0);
  const failure: FailurePolicy = {
    meanHoursBetweenFailures: scenario.failures.meanHoursBetweenFailures,
    mix: {
      roller_wear: scenario.failures.mix.roller_wear ?? 0,
      motor_degradation: scenario.failures.mix.motor_degradation ?? 0,
      optical_sensor_fault: scenario.failures.mix.optical_sensor_fault ?? 0,
      sudden_jam: scenario.failures.mix.sudden_jam ?? 0,
    },
    noPrecursorShare: scenario.failures.noPrecursorShare,
    preventiveServiceHours: scenario.failures.preventiveServiceHours,
  };
  return Array.from({ length: scenario.fleet.size }, (_, i) => {
    const unitId = i + 1;
    const number = String(unitId).padStart(3, '0');
    const game = games[rng.weightedIndex(weights)] as ShufflerGame;
    return {
      unitId,
      config: {
        deviceId: `${scenario.fleet.idPrefix}-${number}`,
        serialNumber: `${scenario.fleet.serialPrefix}-${game.slice(0, 2).toUpperCase()}-${String(unitId).padStart(6, '0')}`,
        tableId: `tbl-${game}-${number}`,
        game,
        failure,
      },
    };
  });
}
