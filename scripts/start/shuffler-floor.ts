import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FailureMode } from '@croupier/contracts';
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

/**
 * One line of the live fleet's ground-truth log: a failure or a service, at its simulated time and at
 * the wall-clock instant that simulated time maps to (telemetry, predictions and alerts carry
 * wall-clock event times, so that is what they are compared with).
 */
export type ShufflerGroundTruthLine =
  | {
      readonly type: 'failure';
      readonly deviceId: string;
      readonly mode: FailureMode;
      readonly hadPrecursor: boolean;
      readonly simTimeMs: number;
      readonly wallTimeMs: number;
      /** When the precursor began, wall clock; null for a failure without one. */
      readonly precursorStartWallMs: number | null;
    }
  | {
      readonly type: 'service';
      readonly deviceId: string;
      readonly kind: 'preventive' | 'repair';
      readonly simTimeMs: number;
      readonly wallTimeMs: number;
      readonly completedWallMs: number;
    };

/**
 * Starts the fleet of a scenario; ground-truth happenings are counted, passed to `onEvent` as a line
 * each and, when `groundTruthPath` is given, appended there as {@link ShufflerGroundTruthLine}s (JSON
 * lines, owner-readable); stopping the fleet waits for the last append.
 */
export async function startSimulatedShufflers(
  scenario: ShufflerScenario,
  onEvent: (line: string) => void,
  groundTruthPath?: string,
): Promise<RunningShufflerFloor> {
  const happenings = { failures: 0, services: 0 };
  if (groundTruthPath) await mkdir(dirname(groundTruthPath), { recursive: true });
  let appended: Promise<void> = Promise.resolve();
  const record = (line: ShufflerGroundTruthLine) => {
    if (!groundTruthPath) return;
    appended = appended
      .then(() => appendFile(groundTruthPath, `${JSON.stringify(line)}\n`, { mode: 0o600 }))
      .catch((error: unknown) => onEvent(`cannot append to ${groundTruthPath}: ${(error as Error).message}`));
  };
  // The simulated clock starts now, at the scenario's start instant if it names one.
  const wallStartMs = Date.now();
  const simStartMs = scenario.live.start ?? wallStartMs;
  const toWall = (simMs: number) => Math.round(wallStartMs + (simMs - simStartMs) / scenario.live.timeScale);
  const floor = await startShufflerFloor(scenario, {
    startMs: simStartMs,
    onEvent: ({ deviceId, event }) => {
      if (event.type === 'failure') {
        happenings.failures += 1;
        onEvent(`${deviceId} failed (${event.mode}${event.hadPrecursor ? ', with precursors' : ', no precursor'})`);
        record({
          type: 'failure',
          deviceId,
          mode: event.mode,
          hadPrecursor: event.hadPrecursor,
          simTimeMs: Math.floor(event.atMs),
          wallTimeMs: toWall(event.atMs),
          precursorStartWallMs: event.precursorStartMs === null ? null : toWall(event.precursorStartMs),
        });
      } else {
        happenings.services += 1;
        onEvent(`${deviceId} serviced (${event.kind})`);
        record({
          type: 'service',
          deviceId,
          kind: event.kind,
          simTimeMs: Math.floor(event.startedMs),
          wallTimeMs: toWall(event.startedMs),
          completedWallMs: toWall(event.completedMs),
        });
      }
    },
  });
  if (!floor.tcp) {
    await floor.stop();
    throw new Error(`scenario ${scenario.name} has no Modbus TCP gateway`);
  }
  return {
    floor: {
      ...floor,
      stop: async () => {
        await floor.stop();
        await appended;
      },
    },
    host: floor.tcp.host,
    port: floor.tcp.port,
    units: [...floor.units].map(([unitId, device]) => ({ unitId, deviceId: device.config.deviceId })),
    happenings,
  };
}

/** FailurePredictor's defaults for what it measures on telemetry event times (its recipe's DefaultConfiguration). */
const PREDICTOR_WALL_CLOCK_DEFAULTS = { predictEveryMs: 60_000, minDwellMs: 1_800_000 } as const;

/**
 * The FailurePredictor configuration a fleet at `timeScale` needs. Telemetry event times are the
 * collector's wall clock, while the shufflers age `timeScale` times faster: the predictor's cadence and
 * alert dwell, measured on event times, are divided by the time scale so that, in the shufflers' own
 * time, it predicts and alerts as it does on a real floor (at ×60, one prediction per simulated minute,
 * not per simulated hour).
 */
export function timeScaledPredictorConfiguration(timeScale: number): {
  readonly predictEveryMs: number;
  readonly alerts: { readonly minDwellMs: number };
} {
  if (!(timeScale > 0)) throw new RangeError(`time scale must be above 0, got ${timeScale}`);
  return {
    predictEveryMs: Math.round(PREDICTOR_WALL_CLOCK_DEFAULTS.predictEveryMs / timeScale),
    alerts: { minDwellMs: Math.round(PREDICTOR_WALL_CLOCK_DEFAULTS.minDwellMs / timeScale) },
  };
}
