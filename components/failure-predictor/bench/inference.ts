/**
 * Benchmark: FailurePredictor with the baseline model (trained into a temp folder first), windows full
 * for N shufflers. Prints single-reading end-to-end latency (window → features → ONNX → hysteresis),
 * raw batched inference throughput, and RSS.
 *
 *   npx tsx components/failure-predictor/bench/inference.ts [shufflers]
 *
 * `benchInference` returns the same figures to `npm run bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newEventId, SCHEMA_VERSION, type ShufflerTelemetry } from '@croupier/contracts';
import { DEFAULT_BASELINE, trainBaseline } from '@croupier/failure-model';
import { FailureModelSession } from '../src/failure-model-session.js';
import { FailurePredictor } from '../src/failure-predictor.js';
import { FEATURE_WINDOW } from '../src/features.js';

const t0 = Date.UTC(2026, 10, 21);
const reading = (device: number, minute: number): ShufflerTelemetry => ({
  eventId: newEventId(),
  eventTime: t0 + minute * 60_000,
  schemaVersion: SCHEMA_VERSION,
  type: 'shuffler_telemetry',
  deviceId: `bench-${device}`,
  game: 'blackjack',
  counters: { shufflesTotal: 1_000 + minute, misfeedsTotal: 10 + (minute >> 4), jamsTotal: 1, cardCountErrorsTotal: 2 },
  gauges: {
    shufflesPerHour: 18,
    cycleTimeSeconds: 60 + (minute % 7),
    motorCurrentAmps: 1.2,
    temperatureCelsius: 35 + (minute % 5),
    hoursSinceService: 100 + minute / 60,
  },
  state: 'idle',
  faultCode: 'none',
  sensors: { inputTrayOptical: true, outputTrayOptical: true, cardCounter: true, doorClosed: true },
});

/** What the inference benchmark measures. */
export interface InferenceBenchFigures {
  readonly shufflers: number;
  readonly modelVersion: string;
  readonly windowReadings: number;
  /** Single reading end to end: window, features, ONNX and hysteresis. */
  readonly perReadingP50Ms: number;
  readonly perReadingP99Ms: number;
  readonly predictions: number;
  readonly onnxBatch64Ms: number;
  readonly onnxRowsPerSecond: number;
  readonly rssBytes: number;
}

/** Trains the baseline model into a temp folder, fills every window, then measures. */
export async function benchInference(options: { readonly shufflers: number }): Promise<InferenceBenchFigures> {
  const { shufflers } = options;
  const dir = await mkdtemp(join(tmpdir(), 'croupier-bench-'));
  try {
    const { modelPath } = await trainBaseline({ ...DEFAULT_BASELINE, devices: 6, days: 15, outDir: dir });
    const model = await FailureModelSession.load(modelPath, FEATURE_WINDOW);
    try {
      let predictions = 0;
      const predictor = new FailurePredictor(
        model,
        {
          hysteresis: { raiseAt: 0.7, clearAt: 0.4, confirmations: 3, minDwellMs: 1_800_000 },
          predictEveryMs: 0,
          criticalAt: 0.9,
          maxDevices: 100_000,
        },
        {
          prediction: () => {
            predictions += 1;
          },
          alert: () => {},
        },
      );
      // A full 6 h window per shuffler at one reading a minute.
      for (let minute = 0; minute < 360; minute += 1)
        for (let d = 0; d < shufflers; d += 1) await predictor.ingest(reading(d, minute));
      const latencies: number[] = [];
      for (let minute = 360; minute < 420; minute += 1) {
        for (let d = 0; d < shufflers; d += 1) {
          const start = performance.now();
          await predictor.ingest(reading(d, minute));
          latencies.push(performance.now() - start);
        }
      }
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
      const features = predictor.windowOf('bench-0')!.features()!;
      const batch = Array.from({ length: 64 }, () => features);
      const runs = 200;
      const start = performance.now();
      for (let i = 0; i < runs; i += 1) await model.predict(batch);
      const batchMs = (performance.now() - start) / runs;
      return {
        shufflers,
        modelVersion: model.version,
        windowReadings: predictor.windowOf('bench-0')!.contents.length,
        perReadingP50Ms: pct(0.5),
        perReadingP99Ms: pct(0.99),
        predictions,
        onnxBatch64Ms: batchMs,
        onnxRowsPerSecond: (64 * 1_000) / batchMs,
        rssBytes: process.memoryUsage().rss,
      };
    } finally {
      await model.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const f = await benchInference({ shufflers: Number(process.argv[2] ?? 64) });
  console.log(
    `FailurePredictor: baseline model ${f.modelVersion}, ${f.shufflers} shufflers with full 6 h windows (${f.windowReadings} readings each)`,
  );
  console.log(
    `  per reading    p50 ${f.perReadingP50Ms.toFixed(3)} ms, p99 ${f.perReadingP99Ms.toFixed(3)} ms (window + features + ONNX + hysteresis), ${f.predictions} predictions`,
  );
  console.log(`  ONNX batch 64  ${f.onnxBatch64Ms.toFixed(3)} ms per batch, ${f.onnxRowsPerSecond.toFixed(0)} rows/s`);
  console.log(`  RSS            ${(f.rssBytes / 1e6).toFixed(1)} MB`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
