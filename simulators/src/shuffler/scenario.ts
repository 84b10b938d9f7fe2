/**
 * Scenario files for the shuffler simulator and the shuffler history generator: one JSON document
 * describing a fleet, how it fails, and how to run it live or as history. Parsed once, here.
 */
import { readFile } from 'node:fs/promises';
import { FailureMode, ShufflerGame } from '@croupier/contracts';
import { z } from 'zod';

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const weights = <K extends string>(keys: readonly K[]) =>
  z
    .partialRecord(z.enum(keys as [K, ...K[]]), z.number().min(0))
    .refine(
      (w) => (Object.values(w) as (number | undefined)[]).some((v) => (v ?? 0) > 0),
      'at least one weight must be > 0',
    );

/** Comm faults switched on and off at real (wall-clock) seconds after start, for one unit. */
const ScheduledFault = z
  .object({
    unitId: z.int().min(1).max(247),
    fromSeconds: z.number().min(0),
    untilSeconds: z.number().positive().optional(),
    offline: z.boolean().default(false),
    delayMs: z.int().min(0).max(60_000).default(0),
    exceptionCode: z.int().min(1).max(255).nullable().default(null),
    corruptFrames: z.boolean().default(false),
  })
  .strict()
  .refine(
    (f) => f.untilSeconds === undefined || f.untilSeconds > f.fromSeconds,
    'untilSeconds must be after fromSeconds',
  );

export const ShufflerScenario = z
  .object({
    name: z.string().min(1).max(64),
    seed: z.union([z.int(), z.string().min(1).max(128)]),
    fleet: z
      .object({
        size: z.int().min(1).max(247),
        /** Relative share of each game. */
        games: weights(ShufflerGame.options).default({ blackjack: 1 }),
        idPrefix: z
          .string()
          .regex(/^[A-Za-z0-9_.:-]{1,32}$/)
          .default('shf'),
        serialPrefix: z
          .string()
          .regex(/^[A-Z0-9-]{1,8}$/)
          .default('CRP'),
      })
      .strict(),
    failures: z
      .object({
        meanHoursBetweenFailures: z.number().min(1).max(1_000_000).default(600),
        mix: weights(FailureMode.options).default({
          roller_wear: 0.35,
          motor_degradation: 0.25,
          optical_sensor_fault: 0.2,
          sudden_jam: 0.2,
        }),
        noPrecursorShare: z.number().min(0).max(1).default(0.15),
        preventiveServiceHours: z.number().min(1).max(100_000).nullable().default(720),
      })
      .strict()
      .prefault({}),
    live: z
      .object({
        /** Simulated start; defaults to the wall clock when the run starts. */
        start: isoInstant.optional(),
        /** Simulated seconds per wall-clock second. */
        timeScale: z.number().min(0.01).max(1_000_000).default(1),
        stepSeconds: z.number().min(0.1).max(3_600).default(1),
        tcp: z
          .object({ host: z.string().min(1).default('127.0.0.1'), port: z.int().min(0).max(65_535).default(5020) })
          .strict()
          .nullable()
          .default({ host: '127.0.0.1', port: 5020 }),
        /** Serial lines, each with the unit ids it carries (RTU); units may also be on the TCP gateway. */
        serial: z
          .array(
            z
              .object({
                path: z.string().min(1),
                baudRate: z.int().min(1_200).max(921_600).default(19_200),
                units: z.array(z.int().min(1).max(247)).min(1),
              })
              .strict(),
          )
          .default([]),
        faults: z.array(ScheduledFault).default([]),
      })
      .strict()
      .prefault({}),
    history: z
      .object({
        start: isoInstant,
        days: z
          .number()
          .positive()
          .max(3 * 366),
        /** One telemetry sample per device this often; must divide an hour. */
        sampleSeconds: z.int().min(10).max(3_600).default(300),
        stepSeconds: z.int().min(1).max(3_600).default(60),
        writer: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .default('shuffler-history'),
      })
      .strict()
      .refine((h) => 3_600 % h.sampleSeconds === 0, 'sampleSeconds must divide 3600')
      .refine((h) => h.sampleSeconds % h.stepSeconds === 0, 'sampleSeconds must be a multiple of stepSeconds')
      .optional(),
  })
  .strict()
  .refine((s) => s.live.faults.every((f) => f.unitId <= s.fleet.size), 'a fault names a unit id beyond the fleet')
  .refine(
    (s) => s.live.serial.every((line) => line.units.every((u) => u <= s.fleet.size)),
    'a serial line names a unit id beyond the fleet',
  );

export type ShufflerScenario = z.infer<typeof ShufflerScenario>;

/** Reads and validates a scenario file; the error names the file and every offending field. */
export async function loadShufflerScenario(path: string): Promise<ShufflerScenario> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`scenario ${path}: ${(err as Error).message}`);
  }
  const parsed = ShufflerScenario.safeParse(json);
  if (!parsed.success) {
    throw new Error(`scenario ${path} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
