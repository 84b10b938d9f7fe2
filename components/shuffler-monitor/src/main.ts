import { runComponent } from '@croupier/edge-kit';
import { COMPONENT_NAME, startShufflerMonitor } from './component.js';
import { MonitorConfig } from './config.js';

await runComponent({
  name: COMPONENT_NAME,
  version: process.env.CROUPIER_COMPONENT_VERSION ?? '0.0.0-dev',
  configuration: MonitorConfig,
  shutdownTimeoutMs: 10_000,
  start: startShufflerMonitor,
});
