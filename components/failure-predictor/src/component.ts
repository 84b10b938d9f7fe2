import { LOCAL_TOPICS, parseWith, ShufflerTelemetry } from '@croupier/contracts';
import { type ComponentContext, type RunningComponent, startHealthReporter } from '@croupier/edge-kit';
import { type PredictorConfig, resolveModelPath } from './config.js';
import { FailureModelSession } from './failure-model-session.js';
import { FailurePredictor, type PredictorSettings } from './failure-predictor.js';
import { FEATURE_WINDOW } from './features.js';

export const COMPONENT_NAME = 'com.croupier.FailurePredictor';

function settingsOf(config: PredictorConfig): PredictorSettings {
  const { raiseAt, clearAt, confirmations, minDwellMs, criticalAt } = config.alerts;
  return {
    hysteresis: { raiseAt, clearAt, confirmations, minDwellMs },
    criticalAt,
    predictEveryMs: config.predictEveryMs,
    maxDevices: config.maxDevices,
  };
}

/**
 * Starts FailurePredictor inside the edge runtime: telemetry in from the local telemetry topic,
 * predictions and alerts out on the local topics Uplink forwards. A configuration update that points at
 * another model loads and checks it first, then swaps it in without touching the windows; a model that
 * fails to load is refused and the running one stays.
 */
export async function startFailurePredictor(
  context: ComponentContext<PredictorConfig>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningComponent<PredictorConfig>> {
  const { transport, logger } = context;
  let modelPath = resolveModelPath(context.configuration, env);
  let session = await FailureModelSession.load(modelPath, FEATURE_WINDOW);
  logger.info('model loaded', { modelVersion: session.version, modelPath });
  let invalidTelemetry = 0;
  let publishFailures = 0;
  const publish = (topic: string, event: object) =>
    transport.publishLocal(topic, Buffer.from(JSON.stringify(event))).catch((error) => {
      publishFailures += 1;
      logger.warn('not published', { topic, error });
    });
  const predictor = new FailurePredictor(
    session,
    settingsOf(context.configuration),
    {
      prediction: (p) => void publish(LOCAL_TOPICS.predictions, p),
      alert: (a) => {
        logger.info('maintenance alert', { deviceId: a.deviceId, state: a.state, probability: a.probability });
        void publish(LOCAL_TOPICS.alerts, a);
      },
    },
    FEATURE_WINDOW,
    (error) => logger.error('prediction failed', { error }),
  );

  const subscription = await transport.subscribeLocal(LOCAL_TOPICS.shufflerTelemetry, async ({ payload }) => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      invalidTelemetry += 1;
      logger.warn('telemetry is not JSON; dropped', { bytes: payload.length });
      return;
    }
    const parsed = parseWith(ShufflerTelemetry, json);
    if (!parsed.ok) {
      invalidTelemetry += 1;
      logger.warn('telemetry refused by the contract; dropped', { reason: parsed.error.message });
      return;
    }
    await predictor.ingest(parsed.value);
  });

  const health = startHealthReporter({
    transport,
    logger,
    core: context.thingName,
    component: context.name,
    componentVersion: context.version,
    intervalMs: context.configuration.healthIntervalMs,
    metrics: () => ({
      ...Object.fromEntries(Object.entries(predictor.stats).map(([k, v]) => [`predictor.${k}`, v])),
      'predictor.devices': predictor.deviceCount,
      'telemetry.invalid': invalidTelemetry,
      'publish.failures': publishFailures,
    }),
  });

  return {
    async reconfigure(next) {
      const nextPath = resolveModelPath(next, env);
      if (nextPath !== modelPath) {
        const loaded = await FailureModelSession.load(nextPath, FEATURE_WINDOW);
        const previous = await predictor.useModel(loaded);
        await (previous as FailureModelSession).release();
        logger.info('model switched', { from: session.version, to: loaded.version, modelPath: nextPath });
        session = loaded;
        modelPath = nextPath;
      }
      await predictor.updateSettings(settingsOf(next));
    },
    async stop() {
      health.stop();
      await subscription.close();
      await predictor.drain();
      await session.release();
    },
  };
}
