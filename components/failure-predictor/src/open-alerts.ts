import { EpochMillis, Identifier, type MaintenanceAlert } from '@croupier/contracts';
import { JsonStateFile } from '@croupier/edge-kit';
import { z } from 'zod';

/** An alert the predictor raised and has not resolved. */
export interface OpenAlert {
  readonly alertId: string;
  /** eventTime of the raise: the start of the alert's least dwell time. */
  readonly raisedAt: number;
}

const OpenAlertsDocument = z.strictObject({
  version: z.literal(1),
  alerts: z.record(Identifier, z.strictObject({ alertId: z.uuid({ version: 'v7' }), raisedAt: EpochMillis })),
});

/**
 * The predicted-failure alerts a core has raised and not resolved, by device, kept in the component
 * work directory ({@link JsonStateFile}) so that a restart resumes them. Without it a restarted
 * predictor starts every device cleared: it would never resolve an alert raised before the restart
 * (the device then looks normal), and would raise a second one for a device still failing.
 */
export class OpenAlerts {
  readonly #file: JsonStateFile<z.infer<typeof OpenAlertsDocument>>;
  readonly #alerts: Map<string, OpenAlert>;

  private constructor(file: JsonStateFile<z.infer<typeof OpenAlertsDocument>>, alerts: Map<string, OpenAlert>) {
    this.#file = file;
    this.#alerts = alerts;
  }

  /** Reads the file at `path`; an unusable one resumes nothing and is reported in `problem`. */
  static async load(path: string): Promise<{ openAlerts: OpenAlerts; problem?: string }> {
    const file = new JsonStateFile(path, OpenAlertsDocument);
    const { document, problem } = await file.load();
    const openAlerts = new OpenAlerts(file, new Map(Object.entries(document?.alerts ?? {})));
    return problem === undefined ? { openAlerts } : { openAlerts, problem };
  }

  /** The open alerts, by device. */
  get current(): ReadonlyMap<string, OpenAlert> {
    return this.#alerts;
  }

  /**
   * Records a predicted-failure alert the predictor emitted, and saves. Resolves once the file holds it
   * (or a newer state); a failed save rejects, and the next change writes the whole state again.
   */
  follow(alert: MaintenanceAlert): Promise<void> {
    if (alert.state === 'raised')
      this.#alerts.set(alert.deviceId, { alertId: alert.alertId, raisedAt: alert.eventTime });
    else if (this.#alerts.get(alert.deviceId)?.alertId === alert.alertId) this.#alerts.delete(alert.deviceId);
    else return Promise.resolve();
    return this.#file.save({ version: 1, alerts: Object.fromEntries(this.#alerts) });
  }

  /** Resolves when every save so far has finished. */
  flushed(): Promise<void> {
    return this.#file.flushed();
  }
}
