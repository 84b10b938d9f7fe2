import { readFile } from 'node:fs/promises';
import { ShufflerScenario, type ShufflerFloor as SimulatedFloor, startShufflerFloor } from '@croupier/simulators';

/** What the start command may override in a shuffler scenario. */
export interface ScenarioOverrides {
  readonly shufflers?: number;
  readonly seed?: number | string;
  readonly timeScale?: number;
  /** 0 picks a free port; absent keeps the scenario's. */
  readonly port?: number;
}

/**
 * Reads a shuffler scenario and applies the command line's overrides before validation, so an
 * override the scenario cannot take (e.g. 300 shufflers) fails with the scenario's own message.
 * A smaller fleet drops the scheduled faults of units it no longer has. The floor is served on the
 * Modbus TCP gateway only: that is what the floor core polls.
 */
export async function loadScenario(path: string, overrides: ScenarioOverrides): Promise<ShufflerScenario> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot read scenario ${path}: ${(error as Error).message}`);
  }
  const fleet = { ...(raw.fleet as Record<string, unknown> | undefined) };
  const live = { ...(raw.live as Record<string, unknown> | undefined) };
  if (overrides.shufflers !== undefined) {
    fleet.size = overrides.shufflers;
    const size = overrides.shufflers;
    live.faults = ((live.faults as { unitId?: number }[] | undefined) ?? []).filter((f) => (f.unitId ?? 0) <= size);
  }
  if (overrides.timeScale !== undefined) live.timeScale = overrides.timeScale;
  if (overrides.port !== undefined) {
    const tcp = (live.tcp as { host?: string } | null | undefined) ?? {};
    live.tcp = { host: tcp.host ?? '127.0.0.1', port: overrides.port };
  }
  live.serial = [];
  const parsed = ShufflerScenario.safeParse({
    ...raw,
    ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
    fleet,
    live,
  });
  if (!parsed.success) throw new Error(`invalid scenario ${path}: ${parsed.error.message}`);
  return parsed.data;
}

/** The simulated shuffler fleet, served over Modbus TCP, and where it listens. */
export interface RunningShufflerFloor {
  readonly floor: SimulatedFloor;
  readonly host: string;
  readonly port: number;
  readonly units: readonly { readonly unitId: number; readonly deviceId: string }[];
  /** Ground-truth failures and services so far. */
  readonly happenings: { failures: number; services: number };
}

/** Starts the fleet of a scenario; ground-truth happenings are counted and passed to `onEvent`. */
export async function startSimulatedShufflers(
  scenario: ShufflerScenario,
  onEvent: (line: string) => void,
): Promise<RunningShufflerFloor> {
  const happenings = { failures: 0, services: 0 };
  const floor = await startShufflerFloor(scenario, {
    onEvent: ({ deviceId, event }) => {
      if (event.type === 'failure') {
        happenings.failures += 1;
        onEvent(`${deviceId} failed (${event.mode}${event.hadPrecursor ? ', with precursors' : ', no precursor'})`);
      } else {
        happenings.services += 1;
        onEvent(`${deviceId} serviced (${event.kind})`);
      }
    },
  });
  if (!floor.tcp) {
    await floor.stop();
    throw new Error(`scenario ${scenario.name} has no Modbus TCP gateway`);
  }
  return {
    floor,
    host: floor.tcp.host,
    port: floor.tcp.port,
    units: [...floor.units].map(([unitId, device]) => ({ unitId, deviceId: device.config.deviceId })),
    happenings,
  };
}
