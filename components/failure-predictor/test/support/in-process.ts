import type { Logger, RunningComponent } from '@croupier/edge-kit';
import type { TestFloor } from '@croupier/edge-kit/testing';
import { COMPONENT_NAME, startFailurePredictor } from '../../src/component.js';
import type { PredictorConfig } from '../../src/config.js';

export interface InProcessPredictor {
  readonly predictor: RunningComponent<PredictorConfig>;
  /** Stops the predictor, then its transport. */
  stop(): Promise<void>;
}

/**
 * Starts FailurePredictor in process on the test floor's broker, the way Greengrass starts it:
 * `FAILURE_MODEL_DIR` is the FailureModel version folder it starts on, `workDirectory` its work folder.
 */
export async function startPredictorInProcess(
  floor: TestFloor,
  options: { configuration: PredictorConfig; logger: Logger; modelDir: string; workDirectory: string },
): Promise<InProcessPredictor> {
  const { configuration, logger } = options;
  const transport = await floor.transport({
    componentName: COMPONENT_NAME,
    thingName: 'core-1',
    configuration,
    logger,
  });
  await transport.connect();
  const predictor = await startFailurePredictor(
    {
      name: COMPONENT_NAME,
      version: '1.0.0',
      thingName: 'core-1',
      transport,
      logger,
      configuration,
      signal: new AbortController().signal,
      onShutdown: () => {},
    },
    { FAILURE_MODEL_DIR: options.modelDir },
    options.workDirectory,
  );
  return {
    predictor,
    async stop() {
      await predictor.stop();
      await transport.close();
    },
  };
}
