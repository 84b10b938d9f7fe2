import { writeFile } from 'node:fs/promises';
import type { SlotEvent } from '@croupier/contracts';
import { createRng } from '../random/index.js';
import { type SlotFloorModel, SlotFloorSimulation } from '../slot/floor-simulation.js';
import type { GroundTruth } from '../slot/ground-truth.js';
import { LakeWriter } from './lake-writer.js';
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
  readonly objects: number;
  readonly events: number;
  readonly duplicates: number;
  readonly truth: GroundTruth;
}

const HOUR_MS = 3_600_000;

/**
 * Months of slot play in the lake layout, exactly as the cloud stores it in `raw/`: SlotEvents
 * (tokenised, located) as gzip JSON lines per hour of eventTime, through the shared {@link LakeWriter}.
 * Deterministic: the same model, seed and window give byte-identical files (deterministic event ids,
 * fixed key order, gzip without timestamp). Memory holds one hour of events at a time.
 */
export async function generateSlotHistory(opts: SlotHistoryOptions): Promise<SlotHistoryResult> {
  const simulation = new SlotFloorSimulation(opts.model, { startMs: opts.startMs, endMs: opts.endMs });
  const form = new SlotUplinkForm(opts.playerTokenKey);
  const lake = new LakeWriter(opts.outDir, opts.writer);
  const duplicateRng = createRng(opts.model.config.seed).fork('history-duplicates');
  let events = 0;
  let hour: SlotEvent[] = [];
  let again: SlotEvent[] = [];
  let duplicates = 0;
  const flushHour = async () => {
    const records = [...hour, ...again];
    for (let i = 0; i < records.length; i += opts.maxEventsPerFile) {
      await lake.write('raw', 'slot', records.slice(i, i + opts.maxEventsPerFile));
    }
    hour = [];
    again = [];
  };
  for (const { event, machine } of simulation.events()) {
    const slotEvent = form.convert(event, machine.identity);
    const first = hour[0];
    if (first !== undefined && Math.floor(first.eventTime / HOUR_MS) !== Math.floor(event.eventTime / HOUR_MS)) {
      await flushHour();
    }
    hour.push(slotEvent);
    events += 1;
    if (opts.duplicateShare > 0 && duplicateRng.bernoulli(opts.duplicateShare)) {
      again.push(slotEvent);
      duplicates += 1;
    }
  }
  await flushHour();
  if (opts.groundTruthPath !== undefined) {
    const doc = simulation.truth.toDocument({
      seed: opts.model.config.seed,
      propertyId: opts.model.config.property.propertyId,
    });
    await writeFile(opts.groundTruthPath, `${JSON.stringify(doc)}\n`, { mode: 0o600 });
  }
  return { objects: lake.written.objects, events, duplicates, truth: simulation.truth };
}
