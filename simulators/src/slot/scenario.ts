import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Identifier } from '@croupier/contracts';
import { z } from 'zod';
import { GAME_KEYS } from './game-catalogue.js';
import { ensurePlayerTokenKey, PlayerTokenKeyFileError } from './player-token-key-file.js';

const GameKey = z.string().refine((key) => GAME_KEYS.includes(key), {
  message: `unknown game; the catalogue has ${GAME_KEYS.join(', ')}`,
});

/** One zone of the floor: a block of banks, each bank carrying one game. */
export const ZoneConfig = z.object({
  zoneId: Identifier,
  banks: z.int().min(1).max(200),
  machinesPerBank: z.int().min(1).max(40),
  /** Relative share of banks per catalogue game. */
  games: z.record(GameKey, z.number().positive()).refine((g) => Object.keys(g).length > 0, 'at least one game'),
});
export type ZoneConfig = z.infer<typeof ZoneConfig>;

export const FloorConfig = z.object({ zones: z.array(ZoneConfig).min(1).max(50) });
export type FloorConfig = z.infer<typeof FloorConfig>;

/** The player population. Medians are of log-normal distributions across players or sessions. */
export const PopulationConfig = z.object({
  count: z.int().min(1).max(1_000_000),
  cardedShare: z.number().min(0).max(1).default(0.7),
  tripsPerMonthMedian: z.number().positive().max(30).default(3),
  sessionsPerTripMean: z.number().min(1).max(20).default(2.5),
  sessionMinutesMedian: z.number().min(1).max(600).default(40),
  tripBudgetMedianCents: z.int().min(2_000).default(20_000),
  /** Games per hour of play; each player's own pace is drawn uniformly in this range. */
  pace: z
    .tuple([z.number().min(60), z.number().max(1_200)])
    .refine(([lo, hi]) => lo <= hi, 'pace range must be [min, max]')
    .default([450, 550]),
  abandonedCardShare: z.number().min(0).max(1).default(0.02),
});
export type PopulationConfig = z.infer<typeof PopulationConfig>;

/** Machine events not caused by play, per machine. */
export const MachineEventRates = z.object({
  tiltsPerDay: z.number().min(0).max(100).default(0.2),
  doorOpeningsPerDay: z.number().min(0).max(100).default(0.15),
  powerCyclesPerMonth: z.number().min(0).max(100).default(0.3),
  /** Local hour the drop team opens every cashbox door; null for no drop. */
  dropHour: z.int().min(0).max(23).nullable().default(5),
});
export type MachineEventRates = z.infer<typeof MachineEventRates>;

export const PropertyConfig = z.object({
  propertyId: Identifier,
  timeZone: z.string().refine(isTimeZone, 'unknown IANA time zone'),
  gamingDayStartHour: z.int().min(0).max(23).default(6),
});
export type PropertyConfig = z.infer<typeof PropertyConfig>;

/** Everything the pure floor model needs. */
export const SlotFloorModelConfig = z.object({
  seed: z.union([z.int(), z.string().min(1)]),
  property: PropertyConfig,
  floor: FloorConfig,
  players: PopulationConfig,
  machineEvents: MachineEventRates.prefault({}),
  /** A single win at or above this is paid by hand (IRS form W-2G threshold for slots: $1,200). */
  handpayThresholdCents: z.int().min(1).default(120_000),
  /** Cash-outs above this are paid by hand as cancelled credit instead of a ticket. */
  ticketOutLimitCents: z.int().min(1).default(300_000),
});
export type SlotFloorModelConfig = z.infer<typeof SlotFloorModelConfig>;

/** Where the SMIBs connect and with what: the core's client-device broker. */
export const BrokerConfig = z.object({
  host: z.string().min(1),
  port: z.int().min(1).max(65_535),
  caPath: z.string().min(1),
  /** `<machineId>.cert.pem` / `<machineId>.key.pem` per machine, as certs-tooling writes them. */
  certDir: z.string().min(1),
  /** When set, certificates missing from certDir are issued with this CA (its `<name>.cert.pem`/`.key.pem`). */
  issueMissingWith: z.object({ caDir: z.string().min(1), caName: Identifier }).optional(),
});
export type BrokerConfig = z.infer<typeof BrokerConfig>;

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

/** A scenario file: the model, how the live run maps to wall time, and the optional history run. */
export const SlotScenario = SlotFloorModelConfig.extend({
  /**
   * The player-token key file (hex, mode 0600; see `ensurePlayerTokenKey`): the same key SlotGateway
   * uses, so tokens in ground truth match the cloud's. Created on first use when it does not exist.
   */
  playerTokenKeyPath: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'required: the player-token key file, e.g. "../../.croupier/secrets/player-token.key" (created on first use)'
          : undefined,
    })
    .min(1),
  /** Refused: a key spelled out in a scenario ends up in git. */
  playerTokenKeyHex: z
    .never({
      error:
        'a scenario must not carry a literal player-token key; name a key file with playerTokenKeyPath instead (npm start or the simulator CLI generates it)',
    })
    .optional(),
  live: z
    .object({
      /** Simulated start; defaults to the wall clock when the run starts. */
      start: isoInstant.optional(),
      durationHours: z
        .number()
        .positive()
        .max(24 * 366),
      /** Simulated seconds per wall-clock second. */
      timeScale: z.number().min(0.1).max(1_000_000).default(1),
      broker: BrokerConfig,
      groundTruthPath: z.string().min(1),
      displayLogPath: z.string().min(1).optional(),
      /** Share of offers a player in session accepts on the machine display; the rest are declined. */
      offerAcceptShare: z.number().min(0).max(1).default(0.6),
      /**
       * When the run stops, how long the SMIBs stay connected, resending, until the core has
       * acknowledged every event they published; 0 against a broker with no SlotGateway behind it.
       */
      ackWaitMs: z.int().min(0).max(300_000).default(10_000),
    })
    .optional(),
  history: z
    .object({
      start: isoInstant,
      days: z
        .number()
        .positive()
        .max(3 * 366),
      outDir: z.string().min(1),
      /** Writer name in lake object names, as a Firehose delivery stream would prefix them. */
      writer: Identifier.default('slot-history'),
      maxEventsPerFile: z.int().min(1).max(10_000_000).default(50_000),
      /** Share of events written twice, as at-least-once delivery leaves them in raw/. */
      duplicateShare: z.number().min(0).max(0.5).default(0),
      groundTruthPath: z.string().min(1).optional(),
    })
    .optional(),
});
export type SlotScenario = z.infer<typeof SlotScenario>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Raised with every problem of a scenario file at once, each with its JSON path. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/**
 * Reads and validates a scenario file. Relative paths inside it (key, broker files, outputs) are
 * resolved against the file's own folder, so a scenario works from any working directory.
 */
export async function loadSlotScenario(path: string): Promise<SlotScenario> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ScenarioError(`${path}: cannot read scenario JSON: ${(e as Error).message}`);
  }
  return parseSlotScenario(json, dirname(resolve(path)));
}

/** Validates a scenario object; relative paths are resolved against `baseDir`. */
export function parseSlotScenario(json: unknown, baseDir: string): SlotScenario {
  const parsed = SlotScenario.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ScenarioError(`invalid slot scenario:\n${lines.join('\n')}`);
  }
  const s = parsed.data;
  const at = (p: string) => resolve(baseDir, p);
  return {
    ...s,
    playerTokenKeyPath: at(s.playerTokenKeyPath),
    live:
      s.live === undefined
        ? undefined
        : {
            ...s.live,
            broker: {
              ...s.live.broker,
              caPath: at(s.live.broker.caPath),
              certDir: at(s.live.broker.certDir),
              issueMissingWith:
                s.live.broker.issueMissingWith === undefined
                  ? undefined
                  : { ...s.live.broker.issueMissingWith, caDir: at(s.live.broker.issueMissingWith.caDir) },
            },
            groundTruthPath: at(s.live.groundTruthPath),
            displayLogPath: s.live.displayLogPath === undefined ? undefined : at(s.live.displayLogPath),
          },
    history:
      s.history === undefined
        ? undefined
        : {
            ...s.history,
            outDir: at(s.history.outDir),
            groundTruthPath: s.history.groundTruthPath === undefined ? undefined : at(s.history.groundTruthPath),
          },
  };
}

/**
 * The player-token key of a scenario, from its key file: generated (0600) when the file does not
 * exist yet, exactly as `npm start` does, so a fresh clone runs; refused when other users can read
 * it or it is not hex of at least 32 bytes.
 */
export async function loadPlayerTokenKey(scenario: SlotScenario): Promise<Uint8Array> {
  try {
    return await ensurePlayerTokenKey(scenario.playerTokenKeyPath);
  } catch (error) {
    if (error instanceof PlayerTokenKeyFileError) throw new ScenarioError(error.message, { cause: error });
    throw error;
  }
}
