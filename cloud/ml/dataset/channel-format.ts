/**
 * The files of one SageMaker channel of the failure-model dataset (see cloud/ml/README.md):
 *
 * - `features.csv`: one row per window, header first. Columns: `device_id`, `window_end_ms`,
 *   `hours_to_failure` (empty: no failure in the data), `hours_observed`, `down` (0/1), then the
 *   feature set's features in contract order, under their names.
 * - `maintenance.jsonl`: the channel's failures and services (ShufflerMaintenanceRecord per line), to
 *   score alerts against.
 * - `dataset.json`: the dataset manifest ({@link DatasetManifest}), the same in every channel.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShufflerMaintenanceRecord } from '@croupier/contracts';
import { FEATURE_NAMES } from '@croupier/failure-predictor';
import { z } from 'zod';
import type { FeatureRow } from './feature-rows.js';

export const FEATURES_FILE = 'features.csv';
export const MAINTENANCE_FILE = 'maintenance.jsonl';
export const MANIFEST_FILE = 'dataset.json';
export const CHANNELS = ['train', 'validation', 'test'] as const;
export type Channel = (typeof CHANNELS)[number];

const FIXED_COLUMNS = ['device_id', 'window_end_ms', 'hours_to_failure', 'hours_observed', 'down'] as const;

/** The CSV header of `features.csv` for the current feature set. */
export const CSV_HEADER = [...FIXED_COLUMNS, ...FEATURE_NAMES].join(',');

const Period = z.object({
  deviceIds: z.array(z.string().min(1)),
  fromMs: z.number(),
  toMs: z.number(),
});

/** The dataset manifest: where the data came from, how it was cut, what each channel holds. */
export const DatasetManifest = z.object({
  formatVersion: z.literal(1),
  createdAt: z.iso.datetime(),
  featureSetVersion: z.string().min(1),
  featureNames: z.array(z.string()),
  window: z.object({ durationMs: z.int().positive(), minReadings: z.int().positive() }),
  source: z.object({
    lake: z.string(),
    startMs: z.number(),
    endMs: z.number(),
    selectedRecords: z.int().min(0),
    duplicatesDropped: z.int().min(0),
    invalidRecords: z.int().min(0),
  }),
  split: z.object({ train: Period, validation: Period, test: Period, gapMs: z.number().min(0) }),
  /** Label horizon the time gap was sized for; the training job may use any horizon up to this one. */
  maxHorizonHours: z.number().positive(),
  rowsEveryMs: z.object({ train: z.int().min(0), validation: z.int().min(0), test: z.int().min(0) }),
  channels: z.record(
    z.enum(CHANNELS),
    z.object({ rows: z.int().min(0), devices: z.int().min(0), failures: z.int().min(0) }),
  ),
});
export type DatasetManifest = z.infer<typeof DatasetManifest>;

const num = (value: number) => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10))));

/** Serialises rows as `features.csv` lines (without the header). */
export function featureRowsToCsv(rows: readonly FeatureRow[]): string {
  return rows
    .map((r) =>
      [
        r.deviceId,
        r.windowEnd,
        r.hoursToFailure === null ? '' : num(r.hoursToFailure),
        num(r.hoursObserved),
        r.down ? 1 : 0,
        ...r.features.map((f) => String(f)),
      ].join(','),
    )
    .join('\n');
}

const finite = z.coerce.number().refine(Number.isFinite, 'not a finite number');
const CsvRow = z.tuple([
  z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
  finite,
  z.union([z.literal('').transform(() => null), finite]),
  finite,
  z.enum(['0', '1']).transform((v) => v === '1'),
]);

/** Parses a `features.csv`; the header must name the current feature set, every row must parse. */
export function parseFeatureCsv(text: string, source: string): FeatureRow[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== CSV_HEADER) {
    throw new Error(`${source}: header ${JSON.stringify(lines[0])} does not match this feature set (${CSV_HEADER})`);
  }
  const width = FIXED_COLUMNS.length + FEATURE_NAMES.length;
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== width) throw new Error(`${source}:${i + 2}: ${cells.length} columns, expected ${width}`);
    const parsed = CsvRow.safeParse(cells.slice(0, FIXED_COLUMNS.length));
    const features = cells.slice(FIXED_COLUMNS.length).map(Number);
    if (!parsed.success || !features.every(Number.isFinite)) throw new Error(`${source}:${i + 2}: malformed row`);
    const [deviceId, windowEnd, hoursToFailure, hoursObserved, down] = parsed.data;
    return { deviceId, windowEnd, hoursToFailure, hoursObserved, down, features };
  });
}

/** One channel as read back from its folder. */
export interface ChannelData {
  readonly manifest: DatasetManifest;
  readonly rows: FeatureRow[];
  readonly maintenance: ShufflerMaintenanceRecord[];
}

/** Reads a channel folder written by the dataset builder. */
export async function readChannel(dir: string): Promise<ChannelData> {
  const manifest = DatasetManifest.parse(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')));
  const rows = parseFeatureCsv(await readFile(join(dir, FEATURES_FILE), 'utf8'), join(dir, FEATURES_FILE));
  const maintenance = (await readFile(join(dir, MAINTENANCE_FILE), 'utf8'))
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => ShufflerMaintenanceRecord.parse(JSON.parse(l)));
  return { manifest, rows, maintenance };
}
