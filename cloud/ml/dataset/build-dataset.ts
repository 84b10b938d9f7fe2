import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FEATURE_NAMES, FEATURE_SET_VERSION, FEATURE_WINDOW } from '@croupier/failure-predictor';
import { z } from 'zod';
import {
  CHANNELS,
  type Channel,
  CSV_HEADER,
  type DatasetManifest,
  FEATURES_FILE,
  featureRowsToCsv,
  MAINTENANCE_FILE,
  MANIFEST_FILE,
} from './channel-format.js';
import { deviceFeatureRows } from './feature-rows.js';
import { LakeHistoryReader } from './lake-history.js';
import { type DatasetSplit, SplitOptions, splitDataset } from './split.js';

/** What the dataset builder is asked for. */
export const DatasetOptions = z.object({
  /** Longest label horizon a model may be trained for on this dataset: sizes the train/test time gap. */
  maxHorizonHours: z.number().positive().max(720).default(72),
  /** One training row per device this often (telemetry time); consecutive windows overlap heavily. */
  trainEveryMinutes: z.number().min(0).max(1_440).default(15),
  /** Validation and test rows: every reading (0) so alert hysteresis can be replayed exactly. */
  evaluationEveryMinutes: z.number().min(0).max(1_440).default(0),
  split: SplitOptions.prefault({}),
  /** Optional bounds on the data read from the lake, ms epoch. */
  fromMs: z.number().optional(),
  toMs: z.number().optional(),
});
export type DatasetOptions = z.input<typeof DatasetOptions>;

const MINUTE_MS = 60_000;

/**
 * Builds the failure-model dataset from a lake folder into `outDir/{train,validation,test}`: reads the
 * de-duplicated raw history with DuckDB, splits devices and time ({@link splitDataset}), and writes each
 * channel's feature rows (computed by FailurePredictor's feature code), maintenance records and the
 * manifest. Devices are processed one at a time, so memory stays at one device's history.
 */
export async function buildDataset(
  lakeDir: string,
  outDir: string,
  input: DatasetOptions = {},
  log: (line: string) => void = () => {},
): Promise<DatasetManifest> {
  const options = DatasetOptions.parse(input);
  const reader = await LakeHistoryReader.open(lakeDir, {
    ...(options.fromMs === undefined ? {} : { fromMs: options.fromMs }),
    ...(options.toMs === undefined ? {} : { toMs: options.toMs }),
  });
  try {
    const { summary } = reader;
    if (summary.deviceIds.length === 0) throw new Error(`no shuffler telemetry in ${lakeDir}`);
    log(
      `lake ${lakeDir}: ${summary.deviceIds.length} shufflers, ${new Date(summary.startMs).toISOString()} to ${new Date(summary.endMs).toISOString()}, ${summary.selectedRecords} records, ${summary.duplicates} duplicates dropped`,
    );
    const gapMs = options.maxHorizonHours * 3_600_000 + FEATURE_WINDOW.durationMs;
    const split = splitDataset(summary.deviceIds, summary, gapMs, options.split);
    const channelOf = new Map<string, Channel>();
    for (const channel of CHANNELS) for (const id of split[channel].deviceIds) channelOf.set(id, channel);
    const everyMs: Record<Channel, number> = {
      train: Math.round(options.trainEveryMinutes * MINUTE_MS),
      validation: Math.round(options.evaluationEveryMinutes * MINUTE_MS),
      test: Math.round(options.evaluationEveryMinutes * MINUTE_MS),
    };
    const counts = Object.fromEntries(CHANNELS.map((c) => [c, { rows: 0, devices: 0, failures: 0 }])) as Record<
      Channel,
      { rows: number; devices: number; failures: number }
    >;
    for (const channel of CHANNELS) {
      const dir = join(outDir, channel);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, FEATURES_FILE), `${CSV_HEADER}\n`);
      await writeFile(join(dir, MAINTENANCE_FILE), '');
    }
    for await (const device of reader.devices()) {
      const channel = channelOf.get(device.deviceId)!;
      const period = split[channel];
      const rows = deviceFeatureRows(device.deviceId, device.telemetry, device.maintenance, {
        everyMs: everyMs[channel],
        fromMs: period.fromMs,
        toMs: period.toMs,
        dataEndMs: Math.min(period.toMs, summary.endMs),
      });
      const maintenance = device.maintenance.filter((m) => m.eventTime < period.toMs);
      const dir = join(outDir, channel);
      if (rows.length > 0) await appendFile(join(dir, FEATURES_FILE), `${featureRowsToCsv(rows)}\n`);
      if (maintenance.length > 0) {
        await appendFile(join(dir, MAINTENANCE_FILE), `${maintenance.map((m) => JSON.stringify(m)).join('\n')}\n`);
      }
      counts[channel].rows += rows.length;
      counts[channel].devices += 1;
      counts[channel].failures += maintenance.filter(
        (m) => m.type === 'shuffler_failure' && m.eventTime >= period.fromMs,
      ).length;
      log(`${device.deviceId} → ${channel}: ${rows.length} rows`);
    }
    const manifest: DatasetManifest = {
      formatVersion: 1,
      createdAt: new Date().toISOString(),
      featureSetVersion: FEATURE_SET_VERSION,
      featureNames: [...FEATURE_NAMES],
      window: { ...FEATURE_WINDOW },
      source: {
        lake: lakeDir,
        startMs: summary.startMs,
        endMs: summary.endMs,
        selectedRecords: summary.selectedRecords,
        duplicatesDropped: summary.duplicates,
        invalidRecords: reader.invalid,
      },
      split: splitForManifest(split),
      maxHorizonHours: options.maxHorizonHours,
      rowsEveryMs: everyMs,
      channels: counts,
    };
    for (const channel of CHANNELS) {
      await writeFile(join(outDir, channel, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    }
    log(
      `dataset: ${CHANNELS.map((c) => `${c} ${counts[c].rows} rows / ${counts[c].devices} devices / ${counts[c].failures} failures`).join('; ')}`,
    );
    return manifest;
  } finally {
    reader.close();
  }
}

const splitForManifest = (split: DatasetSplit): DatasetManifest['split'] => ({
  train: { ...split.train, deviceIds: [...split.train.deviceIds] },
  validation: { ...split.validation, deviceIds: [...split.validation.deviceIds] },
  test: { ...split.test, deviceIds: [...split.test.deviceIds] },
  gapMs: split.gapMs,
});
