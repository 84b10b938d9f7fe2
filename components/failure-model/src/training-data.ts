import { newEventId, type ShufflerGame, type ShufflerTelemetry } from '@croupier/contracts';
import { FEATURE_WINDOW, SlidingWindow, toWindowReading } from '@croupier/failure-predictor';
import {
  createRng,
  initialShufflerState,
  type ShufflerConfig,
  shufflerRandom,
  shufflerTelemetry,
  stepShuffler,
} from '@croupier/simulators';

/** How much simulated fleet history to turn into samples. */
export interface DatasetOptions {
  readonly devices: number;
  readonly days: number;
  /** Model step and telemetry cadence, minutes. */
  readonly stepMinutes: number;
  /** One sample per device this often, minutes. */
  readonly sampleEveryMinutes: number;
  /** A sample is positive when the device fails within this many hours after it. */
  readonly horizonHours: number;
  readonly seed: number;
  /** Share of devices (the last ones) held out for evaluation. */
  readonly holdoutShare: number;
}

export interface Sample {
  readonly deviceId: string;
  readonly time: number;
  readonly features: number[];
  readonly label: 0 | 1;
  readonly holdout: boolean;
}

const HOUR_MS = 3_600_000;
const GAMES: readonly ShufflerGame[] = ['blackjack', 'baccarat', 'poker'];
const START_MS = Date.UTC(2026, 0, 1);

/**
 * Labelled samples from the shuffler simulator's physical model: each device's telemetry runs through
 * the predictor's own SlidingWindow and feature code (the same code as at the edge), and a sample is
 * positive when the device's next failure falls within the horizon. Samples taken while a device is down
 * (failed or in service) are left out: there is nothing left to predict. Deterministic from the seed.
 */
export function simulatedDataset(options: DatasetOptions): Sample[] {
  const fleet = createRng(options.seed);
  const samples: Sample[] = [];
  const holdoutFrom = Math.floor(options.devices * (1 - options.holdoutShare));
  const stepSeconds = options.stepMinutes * 60;
  const steps = Math.floor((options.days * 24 * 60) / options.stepMinutes);
  const sampleEvery = Math.max(1, Math.round(options.sampleEveryMinutes / options.stepMinutes));
  for (let d = 0; d < options.devices; d += 1) {
    const config: ShufflerConfig = {
      deviceId: `train-${String(d).padStart(3, '0')}`,
      serialNumber: `TR${String(d).padStart(6, '0')}`,
      game: GAMES[d % GAMES.length]!,
      failure: {
        meanHoursBetweenFailures: 240,
        mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
        noPrecursorShare: 0.15,
        preventiveServiceHours: 720,
      },
    };
    const random = shufflerRandom(fleet, config.deviceId);
    let state = initialShufflerState(config, random, START_MS);
    const timeline: { telemetry: ShufflerTelemetry; down: boolean }[] = [];
    const failures: number[] = [];
    for (let i = 0; i < steps; i += 1) {
      const result = stepShuffler(config, state, stepSeconds, random);
      state = result.state;
      for (const e of result.events) if (e.type === 'failure') failures.push(e.atMs);
      // Through the simulator's register encoding, so values are quantised exactly as a Modbus read would.
      const view = { config, state, settings: { motorCurrentAlarmAmps: Number.POSITIVE_INFINITY } };
      timeline.push({
        telemetry: shufflerTelemetry(view, newEventId(), Math.round(state.timeMs)),
        down: state.condition === 'failed' || state.condition === 'service',
      });
    }
    const window = new SlidingWindow(FEATURE_WINDOW);
    let nextFailure = 0;
    timeline.forEach(({ telemetry, down }, i) => {
      window.add(toWindowReading(telemetry));
      if (i % sampleEvery !== 0 || down) return;
      const t = telemetry.eventTime;
      while (nextFailure < failures.length && failures[nextFailure]! <= t) nextFailure += 1;
      const features = window.features();
      if (!features) return;
      const upcoming = failures[nextFailure];
      const label = upcoming !== undefined && upcoming - t <= options.horizonHours * HOUR_MS ? 1 : 0;
      samples.push({ deviceId: config.deviceId, time: t, features, label, holdout: d >= holdoutFrom });
    });
  }
  return samples;
}
