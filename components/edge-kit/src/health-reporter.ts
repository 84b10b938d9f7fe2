import { CoreHealth, LOCAL_TOPICS, newEventId, SCHEMA_VERSION } from '@croupier/contracts';
import type { Logger } from './logger.js';
import type { Transport } from './transport/transport.js';

export interface HealthReporterOptions {
  readonly transport: Transport;
  readonly logger: Logger;
  /** Core thing name. */
  readonly core: string;
  readonly component: string;
  readonly componentVersion: string;
  readonly intervalMs: number;
  /** Current gauges and counters; names must match CoreHealth's metric name pattern. */
  readonly metrics: () => Record<string, number>;
  readonly state?: () => CoreHealth['state'];
  readonly now?: () => number;
}

/** A periodic health publisher; see {@link startHealthReporter}. */
export interface HealthReporter {
  /** Publishes one report now. */
  publishNow(): Promise<void>;
  stop(): void;
}

/**
 * Publishes the component's {@link CoreHealth} on `LOCAL_TOPICS.health` every `intervalMs`; Uplink
 * carries it on the `health` stream, where the cloud alarms on it.
 */
export function startHealthReporter(options: HealthReporterOptions): HealthReporter {
  const publishNow = async () => {
    const report = CoreHealth.parse({
      eventId: newEventId(),
      eventTime: (options.now ?? Date.now)(),
      schemaVersion: SCHEMA_VERSION,
      type: 'core_health',
      core: options.core,
      component: options.component,
      componentVersion: options.componentVersion,
      state: options.state?.() ?? 'running',
      metrics: options.metrics(),
    });
    await options.transport.publishLocal(LOCAL_TOPICS.health, Buffer.from(JSON.stringify(report)));
  };
  const timer = setInterval(() => {
    publishNow().catch((e) => options.logger.warn('health report not published', { error: e }));
  }, options.intervalMs);
  timer.unref();
  return { publishNow, stop: () => clearInterval(timer) };
}
