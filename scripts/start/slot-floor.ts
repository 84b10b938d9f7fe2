import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { MachineIdentity } from '@croupier/contracts';
import {
  createSlotFloorModel,
  type LiveScenarioResult,
  loadPlayerTokenKey,
  parseSlotScenario,
  runLiveScenario,
  type SlotScenario,
} from '@croupier/simulators';

/** A live floor runs until stopped: the longest run a scenario accepts, a year of simulated time. */
const OPEN_ENDED_HOURS = 24 * 366;

/** What the start command sets in a slot scenario. */
export interface SlotOverrides {
  /** Machines on the floor: the scenario's zones are cut, bank by bank, to about this many. */
  readonly machines?: number;
  readonly seed?: number | string;
  readonly timeScale?: number;
  /** The client-device broker the SMIBs connect to. */
  readonly broker: { readonly host: string; readonly port: number; readonly caPath: string };
  /** Where SMIB certificates live; missing ones are issued with the CA `<caDir>/ca`. */
  readonly certDir: string;
  readonly caDir: string;
  /** Where the ground truth and display log are written when the run stops. */
  readonly outDir: string;
  /**
   * The floor's player-token key file (see `ensurePlayerTokenKey`). It replaces the key file the
   * scenario names, so the SMIBs' ground truth and SlotGateway tokenise with the same secret. A
   * scenario carrying a literal key is refused, as everywhere else.
   */
  readonly playerTokenKeyPath: string;
}

interface RawZone {
  banks: number;
  machinesPerBank: number;
  [key: string]: unknown;
}

/**
 * Cuts zones to about `machines`: whole zones while they fit, then the next zone's banks,
 * rounded up to whole banks of equal size.
 */
export function cutZones(zones: readonly RawZone[], machines: number): RawZone[] {
  const kept: RawZone[] = [];
  let remaining = machines;
  for (const zone of zones) {
    if (remaining <= 0) break;
    const size = zone.banks * zone.machinesPerBank;
    if (size <= remaining) {
      kept.push(zone);
      remaining -= size;
      continue;
    }
    const banks = Math.ceil(remaining / zone.machinesPerBank);
    kept.push({ ...zone, banks, machinesPerBank: Math.ceil(remaining / banks) });
    remaining = 0;
  }
  return kept;
}

/**
 * Reads a slot scenario with a `live` section and applies the command line: floor size, seed,
 * time scale, the broker and certificate folders and player-token key file of this floor, and an
 * open-ended duration.
 * Overrides apply before validation, so a bad one fails with the scenario's own message.
 */
export async function loadSlotFloorScenario(path: string, overrides: SlotOverrides): Promise<SlotScenario> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot read slot scenario ${path}: ${(error as Error).message}`);
  }
  const live = raw.live as Record<string, unknown> | undefined;
  if (live === undefined) throw new Error(`slot scenario ${path} has no "live" section`);
  const floor = { ...(raw.floor as { zones?: RawZone[] } | undefined) };
  if (overrides.machines !== undefined) floor.zones = cutZones(floor.zones ?? [], overrides.machines);
  return parseSlotScenario(
    {
      ...raw,
      playerTokenKeyPath: overrides.playerTokenKeyPath,
      ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
      floor,
      live: {
        ...live,
        durationHours: OPEN_ENDED_HOURS,
        ...(overrides.timeScale !== undefined ? { timeScale: overrides.timeScale } : {}),
        broker: {
          host: overrides.broker.host,
          port: overrides.broker.port,
          caPath: overrides.broker.caPath,
          certDir: overrides.certDir,
          issueMissingWith: { caDir: overrides.caDir, caName: 'ca' },
        },
        groundTruthPath: join(overrides.outDir, 'slot-live-ground-truth.json'),
        displayLogPath: join(overrides.outDir, 'slot-live-displays.json'),
      },
    },
    // Relative paths left in the scenario are the scenario file's own.
    dirname(resolve(path)),
  );
}

/** The slot floor simulator running in this process: one SMIB per machine on the device broker. */
export interface RunningSlotFloor {
  readonly machines: readonly MachineIdentity[];
  /** Settles when the run ends (stopped, or failed to connect). */
  readonly done: Promise<LiveScenarioResult>;
  /** Stops play, writes the ground truth and display log, and disconnects the SMIBs. */
  stop(): Promise<LiveScenarioResult | undefined>;
}

/**
 * The machines and player-token key (read from the floor's key file) of a scenario, known before
 * any SMIB connects, so SlotGateway can be deployed with them first and no event is published
 * before it listens.
 */
export async function prepareSlotFloor(
  scenario: SlotScenario,
): Promise<{ machines: MachineIdentity[]; playerTokenKey: Uint8Array }> {
  const playerTokenKey = await loadPlayerTokenKey(scenario);
  const model = createSlotFloorModel(scenario, playerTokenKey);
  return { machines: model.machines.map((m) => m.identity), playerTokenKey };
}

/** Starts the live floor in the background; `done` rejects if the SMIBs cannot connect. */
export function startSlotFloor(
  scenario: SlotScenario,
  prepared: { readonly machines: readonly MachineIdentity[]; readonly playerTokenKey: Uint8Array },
): RunningSlotFloor {
  const abort = new AbortController();
  const done = runLiveScenario(scenario, prepared.playerTokenKey, abort.signal);
  return {
    machines: prepared.machines,
    done,
    async stop() {
      abort.abort();
      return done.catch(() => undefined);
    },
  };
}
