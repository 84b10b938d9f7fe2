import { LOCAL_TOPICS, type ShufflerTelemetry } from '@croupier/contracts';
import {
  type ComponentContext,
  type HealthReporter,
  type RunningComponent,
  startHealthReporter,
} from '@croupier/edge-kit';
import type { MonitorConfig } from './config.js';
import { ShufflerMonitor } from './shuffler-monitor.js';

export const COMPONENT_NAME = 'com.croupier.ShufflerMonitor';

/**
 * Starts ShufflerMonitor inside the edge runtime: telemetry goes to the local telemetry topic (Uplink
 * and FailurePredictor subscribe there), health to the local health topic, and configuration updates
 * change the poll map live.
 */
export async function startShufflerMonitor(
  context: ComponentContext<MonitorConfig>,
): Promise<RunningComponent<MonitorConfig>> {
  const { transport, logger } = context;
  let publishFailures = 0;
  const monitor = new ShufflerMonitor({
    telemetry: (event: ShufflerTelemetry) => {
      transport.publishLocal(LOCAL_TOPICS.shufflerTelemetry, Buffer.from(JSON.stringify(event))).catch((error) => {
        publishFailures += 1;
        logger.warn('telemetry not published', { deviceId: event.deviceId, error });
      });
    },
    // The reading is kept in the log with its reason: the dead-letter of a collector that has no store.
    rejected: (deviceId, reason) => logger.warn('reading rejected by the telemetry contract', { deviceId, reason }),
  });
  await monitor.apply(context.configuration);
  logger.info('polling', { devices: context.configuration.devices.length });

  const reportHealth = (intervalMs: number): HealthReporter =>
    startHealthReporter({
      transport,
      logger,
      core: context.thingName,
      component: context.name,
      componentVersion: context.version,
      intervalMs,
      metrics: () => ({ ...monitor.metrics(), 'telemetry.publishFailures': publishFailures }),
      state: () => (monitor.metrics()['devices.backoff']! > 0 ? 'degraded' : 'running'),
    });
  let health = reportHealth(context.configuration.healthIntervalMs);

  return {
    async reconfigure(next, previous) {
      await monitor.apply(next);
      if (next.healthIntervalMs !== previous.healthIntervalMs) {
        health.stop();
        health = reportHealth(next.healthIntervalMs);
      }
      logger.info('poll map updated', { devices: next.devices.length });
    },
    async stop() {
      health.stop();
      await monitor.stop();
    },
  };
}
