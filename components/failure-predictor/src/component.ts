import { basename, dirname, join, resolve } from 'node:path';
import { LOCAL_TOPICS, parseWith, ShufflerTelemetry } from '@croupier/contracts';
import { type ComponentContext, type RunningComponent, startHealthReporter } from '@croupier/edge-kit';
import { type PredictorConfig, resolveModelPath, startedModelDir } from './config.js';
import { FailureModelSession } from './failure-model-session.js';
import { FailurePredictor, type PredictorSettings } from './failure-predictor.js';
import { FEATURE_WINDOW } from './features.js';
import { MODEL_FILE } from './model-contract.js';
import { ModelVersionFollower } from './model-version-follower.js';
import { parseModelVersion } from './model-versions.js';
import { OpenAlerts } from './open-alerts.js';
import { PredictionHandoff } from './prediction-handoff.js';

export const COMPONENT_NAME = 'com.croupier.FailurePredictor';

/**
 * At a clean stop, how long to wait for Uplink to confirm what is held, within the edge runtime's 10 s
 * shutdown timeout; what is left is published again at the next start.
 */
const STOP_SETTLE_MS = 3_000;

function settingsOf(config: PredictorConfig): PredictorSettings {
  const { raiseAt, clearAt, confirmations, minDwellMs, criticalAt } = config.alerts;
  return {
    hysteresis: { raiseAt, clearAt, confirmations, minDwellMs },
    criticalAt,
    predictEveryMs: config.predictEveryMs,
    maxDevices: config.maxDevices,
  };
}

/** The component version of the FailureModel folder a model path lies in, if that folder is a version. */
function versionOf(modelPath: string): string | undefined {
  const name = basename(dirname(modelPath));
  return parseModelVersion(name) ? name : undefined;
}

/**
 * Starts FailurePredictor inside the edge runtime: telemetry in from the local telemetry topic,
 * predictions and alerts out on the local topics Uplink forwards, each kept in an outbox in
 * `workDirectory` and resent until confirmed ({@link PredictionHandoff}). Alerts raised and not
 * resolved are kept there too ({@link OpenAlerts}) and resumed at start.
 *
 * The model: with `modelPath` empty, the FailureModel version it was started with (`FAILURE_MODEL_DIR`),
 * then whichever newer version Greengrass places beside it ({@link ModelVersionFollower}); with
 * `modelPath` set, exactly that model (pinned). Every switch loads and checks the new model first, then
 * swaps it in without touching the windows; a model that fails to load is refused and the running one stays.
 */
export async function startFailurePredictor(
  context: ComponentContext<PredictorConfig>,
  env: NodeJS.ProcessEnv = process.env,
  workDirectory: string = process.cwd(),
): Promise<RunningComponent<PredictorConfig>> {
  const { transport, logger } = context;
  let modelPath = resolveModelPath(context.configuration, env);
  let session = await FailureModelSession.load(modelPath, FEATURE_WINDOW);
  logger.info('model loaded', {
    modelVersion: session.version,
    componentVersion: versionOf(modelPath),
    modelPath,
    pinned: Boolean(context.configuration.modelPath),
  });
  let invalidTelemetry = 0;
  const handoff = await PredictionHandoff.start({
    transport,
    logger,
    configuration: context.configuration.delivery,
    workDirectory,
  });
  const { openAlerts, problem } = await OpenAlerts.load(resolve(workDirectory, context.configuration.openAlerts.path));
  if (problem) logger.error('open alerts not resumed: file unusable', { problem });
  else if (openAlerts.current.size > 0) logger.info('open alerts resumed', { alerts: openAlerts.current.size });
  const predictor = new FailurePredictor(
    session,
    settingsOf(context.configuration),
    {
      prediction: (p) => handoff.deliver(p),
      alert: (a) => {
        logger.info('maintenance alert', { deviceId: a.deviceId, state: a.state, probability: a.probability });
        handoff.deliver(a);
        openAlerts
          .follow(a)
          .catch((error) => logger.error('could not save the open alerts', { alertId: a.alertId, error }));
      },
    },
    FEATURE_WINDOW,
    (error) => logger.error('prediction failed', { error }),
  );
  predictor.resume(openAlerts.current);

  // Switches one at a time, whether a configuration update or a new version folder asks for them.
  let switching: Promise<unknown> = Promise.resolve();
  const switchModel = (nextPath: string): Promise<void> => {
    const run = switching.then(async () => {
      if (nextPath === modelPath) return;
      const loaded = await FailureModelSession.load(nextPath, FEATURE_WINDOW);
      const previous = await predictor.useModel(loaded);
      await (previous as FailureModelSession).release();
      logger.info('model switched', {
        from: session.version,
        to: loaded.version,
        componentVersion: versionOf(nextPath),
        modelPath: nextPath,
      });
      session = loaded;
      modelPath = nextPath;
    });
    switching = run.catch(() => undefined);
    return run;
  };

  let follower: ModelVersionFollower | undefined;
  const follow = (config: PredictorConfig) => {
    const started = startedModelDir(env);
    if (config.modelPath || !started) return;
    follower = ModelVersionFollower.start({
      root: dirname(started),
      running: versionOf(modelPath),
      debounceMs: config.modelWatch.debounceMs,
      rescanMs: config.modelWatch.rescanMs,
      tryVersion: async (componentVersion, dir) => {
        const candidate = join(dir, MODEL_FILE);
        try {
          await switchModel(candidate);
          return true;
        } catch (error) {
          logger.warn('model version refused', { componentVersion, modelPath: candidate, error });
          return false;
        }
      },
      onError: (error) => logger.error('model version scan failed', { error }),
    });
  };
  const unfollow = async () => {
    await follower?.close();
    follower = undefined;
  };
  follow(context.configuration);

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
      'model.refusedVersions': follower?.refusedCount ?? 0,
      ...handoff.metrics(),
    }),
  });

  return {
    async reconfigure(next, previous) {
      if (next.modelPath) {
        // Pinned: new versions are ignored; a refused pin throws, so the update is rejected whole.
        await unfollow();
        await switchModel(next.modelPath);
      } else if (previous.modelPath || JSON.stringify(next.modelWatch) !== JSON.stringify(previous.modelWatch)) {
        // Unpinned: back to the started version, then whatever is newer; new watch settings: follow anew.
        await unfollow();
        if (previous.modelPath) await switchModel(resolveModelPath(next, env));
        follow(next);
      }
      await predictor.updateSettings(settingsOf(next));
    },
    async stop() {
      health.stop();
      await unfollow();
      await subscription.close();
      await predictor.drain();
      await handoff.stop(STOP_SETTLE_MS);
      await openAlerts.flushed();
      await session.release();
    },
  };
}
