import type { ShufflerTelemetry } from '@croupier/contracts';
import { type FailureModel, FailurePredictor, PredictorConfig } from '@croupier/failure-predictor';
import type { AlertEpisode } from './alert-scoring.js';

/**
 * Runs telemetry through the real FailurePredictor (its windows, features, model call and alert
 * hysteresis, with its default configuration unless given another) and collects the alerts it raises as
 * episodes. Exactly what a core would have alerted on, given the same readings.
 */
export class PredictorReplay {
  readonly episodes: AlertEpisode[] = [];
  private readonly open = new Map<string, number>();
  private readonly predictor: FailurePredictor;

  constructor(model: FailureModel, config: PredictorConfig = PredictorConfig.parse({})) {
    const { alerts } = config;
    this.predictor = new FailurePredictor(
      model,
      {
        hysteresis: {
          raiseAt: alerts.raiseAt,
          clearAt: alerts.clearAt,
          confirmations: alerts.confirmations,
          minDwellMs: alerts.minDwellMs,
        },
        predictEveryMs: config.predictEveryMs,
        criticalAt: alerts.criticalAt,
        maxDevices: Number.MAX_SAFE_INTEGER,
      },
      {
        prediction: () => {},
        alert: (alert) => {
          if (alert.state === 'raised') this.open.set(alert.deviceId, alert.eventTime);
          else {
            const raisedAt = this.open.get(alert.deviceId);
            if (raisedAt !== undefined)
              this.episodes.push({ deviceId: alert.deviceId, raisedAt, clearedAt: alert.eventTime });
            this.open.delete(alert.deviceId);
          }
        },
      },
    );
  }

  /** Feeds one device's readings (time order) and waits until all are processed. */
  async feed(telemetry: readonly ShufflerTelemetry[]): Promise<void> {
    for (const t of telemetry) void this.predictor.ingest(t);
    await this.predictor.drain();
  }

  get stats() {
    return this.predictor.stats;
  }

  /** All episodes, alerts still raised at the end included (clearedAt null). */
  finish(): AlertEpisode[] {
    const still = [...this.open].map(([deviceId, raisedAt]) => ({ deviceId, raisedAt, clearedAt: null }));
    return [...this.episodes, ...still];
  }
}
