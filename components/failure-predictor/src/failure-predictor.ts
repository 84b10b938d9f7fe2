import {
  type FailurePrediction,
  type MaintenanceAlert,
  newEventId,
  SCHEMA_VERSION,
  type ShufflerTelemetry,
} from '@croupier/contracts';
import { FEATURE_WINDOW, type FeatureWindow, SlidingWindow, toWindowReading } from './features.js';
import { type AlertState, type HysteresisPolicy, INITIAL_ALERT_STATE, stepAlert } from './hysteresis.js';
import type { OpenAlert } from './open-alerts.js';

/** What the predictor needs from a model; FailureModelSession is the production one. */
export interface FailureModel {
  readonly version: string;
  readonly horizonHours: number;
  predict(batch: readonly (readonly number[])[]): Promise<number[]>;
}

export interface PredictorSettings {
  readonly hysteresis: HysteresisPolicy;
  /** Least telemetry time between two predictions of one device. */
  readonly predictEveryMs: number;
  /** An alert at or above this probability is critical rather than a warning. */
  readonly criticalAt: number;
  /** Windows kept at most; telemetry of further devices is refused (and counted). */
  readonly maxDevices: number;
}

export interface PredictorSink {
  prediction(prediction: FailurePrediction): void;
  alert(alert: MaintenanceAlert): void;
}

/** Counters for health metrics. */
export interface PredictorStats {
  readings: number;
  ignoredReadings: number;
  refusedDevices: number;
  predictions: number;
  alertsRaised: number;
  alertsResolved: number;
  modelSwitches: number;
  inferenceErrors: number;
}

interface DeviceTrack {
  readonly window: SlidingWindow;
  alert: AlertState;
  alertId: string | undefined;
  lastPredictedEnd: number;
}

/**
 * Turns a stream of shuffler telemetry into failure predictions and alerts. Each device has a sliding
 * window; when it is full enough and a prediction is due, its features go through the current model, the
 * prediction is published, and the probability drives the device's alert through hysteresis.
 * Work runs strictly in arrival order, so alerts follow telemetry order. `useModel` swaps the model
 * between two readings: windows, alert states and their ids are kept.
 */
export class FailurePredictor {
  readonly stats: PredictorStats = {
    readings: 0,
    ignoredReadings: 0,
    refusedDevices: 0,
    predictions: 0,
    alertsRaised: 0,
    alertsResolved: 0,
    modelSwitches: 0,
    inferenceErrors: 0,
  };
  private readonly devices = new Map<string, DeviceTrack>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private model: FailureModel,
    private settings: PredictorSettings,
    private readonly sink: PredictorSink,
    private readonly window: FeatureWindow = FEATURE_WINDOW,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** The model predictions currently come from. */
  get modelVersion(): string {
    return this.model.version;
  }

  /** Devices with a window. */
  get deviceCount(): number {
    return this.devices.size;
  }

  /** Readings in one device's window, for tests and diagnostics. */
  windowOf(deviceId: string): SlidingWindow | undefined {
    return this.devices.get(deviceId)?.window;
  }

  /**
   * Resumes alerts raised before a restart; call it before any telemetry. Each stays raised, with its
   * id, until new predictions clear it through the hysteresis; its dwell counts from the raise.
   */
  resume(openAlerts: ReadonlyMap<string, OpenAlert>): void {
    for (const [deviceId, { alertId, raisedAt }] of openAlerts) {
      const track = this.track(deviceId);
      if (!track) return;
      track.alert = { raised: true, since: raisedAt, streak: 0 };
      track.alertId = alertId;
    }
  }

  /** Queues one reading; resolves when it (and everything before it) has been processed. */
  ingest(telemetry: ShufflerTelemetry): Promise<void> {
    return this.enqueue(() => this.process(telemetry));
  }

  /** Switches to `model` after the work already queued; returns the model it replaced. */
  useModel(model: FailureModel): Promise<FailureModel> {
    return this.enqueue(async () => {
      const previous = this.model;
      this.model = model;
      this.stats.modelSwitches += 1;
      return previous;
    });
  }

  /** Applies new thresholds and cadence; alert states carry over. */
  updateSettings(settings: PredictorSettings): Promise<void> {
    return this.enqueue(async () => {
      this.settings = settings;
    });
  }

  /** Resolves once everything queued so far is done. */
  drain(): Promise<void> {
    return this.enqueue(async () => {});
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(
      () => undefined,
      (error) => this.onError(error),
    );
    return run;
  }

  private track(deviceId: string): DeviceTrack | undefined {
    let track = this.devices.get(deviceId);
    if (!track) {
      if (this.devices.size >= this.settings.maxDevices) return undefined;
      track = {
        window: new SlidingWindow(this.window),
        alert: INITIAL_ALERT_STATE,
        alertId: undefined,
        lastPredictedEnd: Number.NEGATIVE_INFINITY,
      };
      this.devices.set(deviceId, track);
    }
    return track;
  }

  private async process(telemetry: ShufflerTelemetry): Promise<void> {
    const track = this.track(telemetry.deviceId);
    if (!track) {
      this.stats.refusedDevices += 1;
      return;
    }
    if (!track.window.add(toWindowReading(telemetry))) {
      this.stats.ignoredReadings += 1;
      return;
    }
    this.stats.readings += 1;
    const end = telemetry.eventTime;
    if (end - track.lastPredictedEnd < this.settings.predictEveryMs) return;
    const features = track.window.features();
    if (!features) return;
    const model = this.model;
    let probability: number;
    try {
      [probability = Number.NaN] = await model.predict([features]);
    } catch (error) {
      this.stats.inferenceErrors += 1;
      throw error;
    }
    if (!Number.isFinite(probability)) {
      this.stats.inferenceErrors += 1;
      return;
    }
    track.lastPredictedEnd = end;
    this.stats.predictions += 1;
    this.sink.prediction({
      eventId: newEventId(),
      eventTime: end,
      schemaVersion: SCHEMA_VERSION,
      type: 'failure_prediction',
      deviceId: telemetry.deviceId,
      modelVersion: model.version,
      probability,
      horizonHours: model.horizonHours,
      windowEnd: end,
    });
    const { state, change } = stepAlert(track.alert, probability, end, this.settings.hysteresis);
    track.alert = state;
    if (change === null) return;
    if (change === 'raised') track.alertId = newEventId();
    const alertId = track.alertId ?? newEventId();
    if (change === 'raised') this.stats.alertsRaised += 1;
    else this.stats.alertsResolved += 1;
    this.sink.alert({
      eventId: newEventId(),
      eventTime: end,
      schemaVersion: SCHEMA_VERSION,
      type: 'maintenance_alert',
      alertId,
      deviceId: telemetry.deviceId,
      state: change === 'raised' ? 'raised' : 'resolved',
      cause: 'predicted_failure',
      severity: change === 'raised' && probability >= this.settings.criticalAt ? 'critical' : 'warning',
      message:
        change === 'raised'
          ? `Failure predicted within ${model.horizonHours} h (p = ${probability.toFixed(2)})`
          : `Failure risk back to normal (p = ${probability.toFixed(2)})`,
      probability,
      modelVersion: model.version,
      ...(change === 'cleared' ? { resolution: 'recovered' as const } : {}),
    });
    if (change === 'cleared') track.alertId = undefined;
  }
}
