/**
 * Regression: the baseline model must judge LIVE telemetry as it judges its training data. The shufflers
 * here are the simulator's, served over Modbus TCP on a clock running 3600× real time, and polled by the
 * real ShufflerMonitor with its recipe register map, which stamps eventTime with the collector's clock;
 * the telemetry goes through FailurePredictor's SlidingWindow and the ONNX model. With features timed by
 * eventTime, a device hour lasted one real second, the temperature slope (°C per hour) came out thousands
 * of times too steep and the window held days of device history: on the local floor (×60) every shuffler
 * scored 1.0. Timed by the device's own hour counter, healthy shufflers score low and a failing one high.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShufflerGame, ShufflerTelemetry } from '@croupier/contracts';
import {
  deviceHoursAxis,
  FailureModelSession,
  FEATURE_NAMES,
  FEATURE_WINDOW,
  SlidingWindow,
  toWindowReading,
} from '@croupier/failure-predictor';
import { MonitorConfig, type MonitorConfigInput, ShufflerMonitor } from '@croupier/shuffler-monitor';
import {
  createRng,
  manualClock,
  type ShufflerConfig,
  SimulatedShuffler,
  scaledClock,
  shufflerRandom,
  startShufflerTcpServer,
} from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_BASELINE, trainBaseline } from '../src/train-baseline.js';

const HOUR_MS = 3_600_000;
const START_MS = Date.UTC(2026, 2, 1);
const TIME_SCALE = 3_600;
const GAMES: readonly ShufflerGame[] = ['blackjack', 'baccarat', 'poker'];
const POLICY: ShufflerConfig['failure'] = {
  meanHoursBetweenFailures: 240,
  mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
  noPrecursorShare: 0,
  preventiveServiceHours: 720,
};

function shufflerConfig(index: number): ShufflerConfig {
  return {
    deviceId: `live-${index}`,
    serialNumber: `LV${String(index).padStart(6, '0')}`,
    game: GAMES[index % GAMES.length]!,
    failure: POLICY,
  };
}

/**
 * A simulated shuffler that jumps to `offsetMs` of device time after START_MS on its first read (the
 * model steps through the skipped hours, so its history is the ground truth's) and then runs ×3600.
 */
function liveShuffler(index: number, offsetMs: number): SimulatedShuffler {
  let skip = 0;
  // Device time stands still until polling starts: a slow set-up on a busy machine must not carry the
  // failing shuffler into its failure before the window is judged.
  const realNow = () => (pollingStartedAt === undefined ? 0 : performance.now() - pollingStartedAt) + skip;
  const clock = scaledClock({ startMs: START_MS, timeScale: TIME_SCALE, realNow });
  const config = shufflerConfig(index);
  const device = new SimulatedShuffler({
    config,
    random: shufflerRandom(createRng(index), config.deviceId),
    clock,
    stepSeconds: 60,
  });
  skip = offsetMs / TIME_SCALE;
  return device;
}

/** Ground truth of the same shuffler (same seed, same steps) over `hours`, without Modbus. */
function failuresOf(index: number, hours: number) {
  const clock = manualClock(START_MS);
  const config = shufflerConfig(index);
  const device = new SimulatedShuffler({
    config,
    random: shufflerRandom(createRng(index), config.deviceId),
    clock,
    stepSeconds: 60,
  });
  clock.advance(hours * HOUR_MS);
  device.advance();
  return device.events.flatMap((e) => (e.type === 'failure' ? [e] : []));
}

function recipeDefaults(): MonitorConfigInput {
  const url = new URL('../../shuffler-monitor/recipe.yaml', import.meta.url);
  const recipe = parse(readFileSync(url, 'utf8')) as {
    ComponentConfiguration: { DefaultConfiguration: MonitorConfigInput };
  };
  return recipe.ComponentConfiguration.DefaultConfiguration;
}

const LIVE_HOURS = 10;
/** Device hours before its failure at which the failing shuffler's window is judged. */
const LEAD_AT_END_HOURS = 3;
const HEALTHY_OFFSET_HOURS = 48;

/** Shufflers for the floor: two healthy for days around the run, one whose failure is hours away. */
function chooseFloor(): { healthy: number[]; failing: { index: number; offsetMs: number } } {
  const healthy: number[] = [];
  let failing: { index: number; offsetMs: number } | undefined;
  for (let index = 1; index <= 60 && (healthy.length < 2 || !failing); index += 1) {
    const failures = failuresOf(index, HEALTHY_OFFSET_HOURS + LIVE_HOURS + 120);
    if (failures.length === 0 && healthy.length < 2) healthy.push(index);
    const first = failures[0];
    if (
      !failing &&
      first &&
      (first.mode === 'roller_wear' || first.mode === 'motor_degradation') &&
      first.atMs - START_MS >= (LIVE_HOURS + LEAD_AT_END_HOURS + 12) * HOUR_MS
    ) {
      failing = { index, offsetMs: first.atMs - START_MS - (LIVE_HOURS + LEAD_AT_END_HOURS) * HOUR_MS };
    }
  }
  if (!failing || healthy.length < 2) throw new Error('no suitable shufflers in the first 60 seeds');
  return { healthy, failing };
}

let dir: string;
let pollingStartedAt: number | undefined;
let session: FailureModelSession;
const probabilities = new Map<string, number>();
const liveFeatures = new Map<string, number[]>();
let trainingRange: { min: number[]; max: number[] };
const windowsAtEnd = new Map<string, SlidingWindow>();
let floor: ReturnType<typeof chooseFloor>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'croupier-live-telemetry-'));
  const trained = await trainBaseline({ ...DEFAULT_BASELINE, devices: 12, days: 30, outDir: dir });
  session = await FailureModelSession.load(trained.modelPath, FEATURE_WINDOW);
  const vectors = trained.holdout.map((sample) => sample.features);
  // The held-out history's range, widened by a quarter of its span: live windows are new samples of the
  // same physics, not the same samples; the skew this guards against was orders of magnitude.
  const low = FEATURE_NAMES.map((_, j) => Math.min(...vectors.map((v) => v[j]!)));
  const high = FEATURE_NAMES.map((_, j) => Math.max(...vectors.map((v) => v[j]!)));
  trainingRange = {
    min: low.map((l, j) => l - (high[j]! - l) / 4),
    max: high.map((h, j) => h + (h - low[j]!) / 4),
  };

  floor = chooseFloor();
  const units = new Map<number, SimulatedShuffler>();
  for (const index of floor.healthy) units.set(index, liveShuffler(index, HEALTHY_OFFSET_HOURS * HOUR_MS));
  units.set(floor.failing.index, liveShuffler(floor.failing.index, floor.failing.offsetMs));
  const server = await startShufflerTcpServer({ units, port: 0 });

  const defaults = recipeDefaults();
  const map = defaults.registerMaps!['croupier-shuffler-v1']!;
  // Poll ten times a real second (6 device minutes at ×3600); counters move between polls, so each is news.
  const config = MonitorConfig.parse({
    ...defaults,
    heartbeatMs: 1000,
    registerMaps: {
      'croupier-shuffler-v1': {
        ...map,
        groups: map.groups.map((g) => (g.name === 'status' ? { ...g, intervalMs: 100, jitterMs: 0 } : g)),
      },
    },
    buses: { floor: { kind: 'tcp', host: server.host, port: server.port } },
    devices: [...units.values()].map((d, i) => ({
      deviceId: d.config.deviceId,
      bus: 'floor',
      unitId: [...units.keys()][i]!,
      registerMap: 'croupier-shuffler-v1',
    })),
  });
  const windows = new Map<string, SlidingWindow>();
  const monitor = new ShufflerMonitor({
    telemetry: (event: ShufflerTelemetry) => {
      if (event.state === 'offline') return;
      const window = windows.get(event.deviceId) ?? new SlidingWindow(FEATURE_WINDOW);
      windows.set(event.deviceId, window);
      window.add(toWindowReading(event));
    },
    rejected: () => undefined,
  });
  pollingStartedAt = performance.now();
  await monitor.apply(config);
  await new Promise((resolve) => setTimeout(resolve, (LIVE_HOURS * HOUR_MS) / TIME_SCALE));
  await monitor.stop();
  await server.close();
  for (const [deviceId, window] of windows) {
    windowsAtEnd.set(deviceId, window);
    const features = window.features();
    if (!features) continue;
    liveFeatures.set(deviceId, features);
    probabilities.set(deviceId, (await session.predict([features]))[0]!);
    if (process.env.CROUPIER_PRINT_FEATURES) console.log(deviceId, probabilities.get(deviceId), features);
  }
}, 120_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('GIVEN simulated shufflers at ×3600 polled over Modbus TCP by ShufflerMonitor', () => {
  it('THEN each window holds 6 device hours, though it was collected in seconds of eventTime', () => {
    expect(windowsAtEnd.size).toBe(3);
    for (const window of windowsAtEnd.values()) {
      const readings = window.contents;
      const hours = deviceHoursAxis(readings);
      // Polls are 0.1 device hours apart when the machine keeps up; a busy machine stretches a gap to
      // a device hour or more (a real second at ×3600: one was measured with a CPU hog on one of two
      // cores), and the oldest reading kept is then that much short of 6 h.
      expect(hours[hours.length - 1]!).toBeGreaterThan(4.5);
      expect(hours[hours.length - 1]!).toBeLessThanOrEqual(6);
      expect(readings[readings.length - 1]!.time - readings[0]!.time).toBeLessThan(60_000);
    }
  });

  it('THEN every live feature lies within the range the model saw in its simulated history', () => {
    expect(liveFeatures.size).toBe(3);
    for (const [deviceId, features] of liveFeatures) {
      features.forEach((value, j) => {
        const where = `${deviceId} ${FEATURE_NAMES[j]} = ${value}`;
        expect(value, where).toBeGreaterThanOrEqual(trainingRange.min[j]!);
        expect(value, where).toBeLessThanOrEqual(trainingRange.max[j]!);
      });
    }
  });

  it('THEN the baseline model gives healthy shufflers a low failure probability', () => {
    for (const index of floor.healthy) expect(probabilities.get(`live-${index}`)).toBeLessThan(0.4);
  });

  it('THEN a shuffler hours before a failure with a precursor gets a high one', () => {
    expect(probabilities.get(`live-${floor.failing.index}`)).toBeGreaterThanOrEqual(0.7);
  });
});
