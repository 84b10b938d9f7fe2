import { writeFile } from 'node:fs/promises';
import { createRng } from '../random/index.js';
import { type SlotFloorModel, SlotFloorSimulation } from '../slot/floor-simulation.js';
import type { GroundTruth } from '../slot/ground-truth.js';
import { SlotLakeWriter } from './slot-lake-writer.js';
import { SlotUplinkForm } from './slot-uplink-form.js';

export interface SlotHistoryOptions {
  readonly model: SlotFloorModel;
  readonly playerTokenKey: Uint8Array;
  readonly startMs: number;
  readonly endMs: number;
  /** The lake root; files go under `raw/slot/`. */
  readonly outDir: string;
  readonly writer: string;
  readonly maxEventsPerFile: number;
  /** Share of events written a second time (at the end of their hour partition), as at-least-once delivery does. */
  readonly duplicateShare: number;
  /** When set, the ground truth (sessions, trips, per-machine totals) is written here as JSON. */
  readonly groundTruthPath?: string;
}

export interface SlotHistoryResult {
  readonly files: readonly string[];
  readonly events: number;
  readonly duplicates: number;
  readonly truth: GroundTruth;
}

/**
 * Months of slot play in the lake layout, exactly as the cloud stores it in `raw/`: SlotEvents
 * (tokenised, located) as gzip JSON lines per hour of eventTime. Deterministic: the same model, seed
 * and window give byte-identical files (fixed gzip header, deterministic event ids, fixed key order).
 */
export async function generateSlotHistory(opts: SlotHistoryOptions): Promise<SlotHistoryResult> {
  const simulation = new SlotFloorSimulation(opts.model, { startMs: opts.startMs, endMs: opts.endMs });
  const form = new SlotUplinkForm(opts.playerTokenKey);
  const lake = new SlotLakeWriter(opts);
  const duplicateRng = createRng(opts.model.config.seed).fork('history-duplicates');
  let events = 0;
  let duplicates = 0;
  let pending: string[] = [];
  let pendingTime = 0;
  for (const { event, machine } of simulation.events()) {
    const line = JSON.stringify(form.convert(event, machine.identity));
    if (pending.length > 0 && lakeHour(event.eventTime) !== lakeHour(pendingTime)) {
      for (const dup of pending) await lake.add(dup, pendingTime);
      pending = [];
    }
    await lake.add(line, event.eventTime);
    events += 1;
    if (opts.duplicateShare > 0 && duplicateRng.bernoulli(opts.duplicateShare)) {
      pending.push(line);
      pendingTime = event.eventTime;
      duplicates += 1;
    }
  }
  for (const dup of pending) await lake.add(dup, pendingTime);
  await lake.flush();
  if (opts.groundTruthPath !== undefined) {
    const doc = simulation.truth.toDocument({
      seed: opts.model.config.seed,
      propertyId: opts.model.config.property.propertyId,
    });
    await writeFile(opts.groundTruthPath, `${JSON.stringify(doc)}\n`, { mode: 0o600 });
  }
  return { files: lake.files, events, duplicates, truth: simulation.truth };
}

function lakeHour(eventTimeMs: number): number {
  return Math.floor(eventTimeMs / 3_600_000);
}
