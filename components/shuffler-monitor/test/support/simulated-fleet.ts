import type { ShufflerGame } from '@croupier/contracts';
import {
  createRng,
  type ManualClock,
  manualClock,
  type ProfilePoint,
  SHUFFLER_PROFILE,
  SimulatedShuffler,
  shufflerRandom,
} from '@croupier/simulators';
import type { PointDefinitionInput } from '../../src/register-map.js';

const POLICY = {
  meanHoursBetweenFailures: 400,
  mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
  noPrecursorShare: 0.2,
  preventiveServiceHours: 720,
};

const GAMES: readonly ShufflerGame[] = ['blackjack', 'baccarat', 'poker'];

/** `count` simulated shufflers on one manual clock, units 1..count, deterministic from `seed`. */
export function simulatedShufflers(
  count: number,
  seed = 11,
): { clock: ManualClock; units: Map<number, SimulatedShuffler> } {
  const clock = manualClock(Date.UTC(2026, 10, 21, 20, 0, 0));
  const fleet = createRng(seed);
  const units = new Map<number, SimulatedShuffler>();
  for (let unit = 1; unit <= count; unit += 1) {
    const config = {
      deviceId: `shuffler-${unit}`,
      serialNumber: `SN-${String(unit).padStart(6, '0')}`,
      game: GAMES[unit % GAMES.length]!,
      failure: POLICY,
    };
    const device = new SimulatedShuffler({
      config,
      random: shufflerRandom(fleet, config.deviceId),
      clock,
      stepSeconds: 60,
    });
    units.set(unit, device);
  }
  // Let the model run a few simulated hours so counters and gauges are non-trivial.
  clock.advance(6 * 3_600_000);
  return { clock, units };
}

const TABLES = {
  input_register: 'input',
  holding_register: 'holding',
  coil: 'coil',
  discrete_input: 'discrete',
} as const;

/**
 * Every point of the simulator's documented profile, written as a ShufflerMonitor register map: bit
 * fields become one `bit` point per documented bit, enumerations carry their labels, ASCII becomes a
 * string of length/2 registers. Names are `<profile point>` or `<profile point>.<bit name>`.
 */
export function wholeProfileAsPoints(): PointDefinitionInput[] {
  return SHUFFLER_PROFILE.flatMap((p: ProfilePoint): PointDefinitionInput[] => {
    const base = { table: TABLES[p.table], address: p.address };
    switch (p.kind) {
      case 'number':
        return [{ ...base, name: p.name, type: p.type, scale: p.scale }];
      case 'enum':
        return [{ ...base, name: p.name, type: 'uint16', values: [...p.values] }];
      case 'bitfield':
        return p.bits.map((b) => ({ ...base, name: `${p.name}.${b.name}`, type: 'bit' as const, bit: b.bit }));
      case 'ascii':
        return [{ ...base, name: p.name, type: 'string', length: Math.ceil(p.length / 2) }];
      default:
        return [{ ...base, name: `${p.table}.${p.name}`, type: 'bit' }];
    }
  });
}
