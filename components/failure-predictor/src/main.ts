import { runComponent } from '@croupier/edge-kit';
import { COMPONENT_NAME, startFailurePredictor } from './component.js';
import { PredictorConfig } from './config.js';

await runComponent({
  name: COMPONENT_NAME,
  version: process.env.CROUPIER_COMPONENT_VERSION ?? '0.0.0-dev',
  configuration: PredictorConfig,
  shutdownTimeoutMs: 10_000,
  start: (context) => startFailurePredictor(context),
});
