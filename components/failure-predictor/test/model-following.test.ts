import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_NAME } from '../src/component.js';
import { PredictorConfig } from '../src/config.js';
import { MODEL_CARD_FILE } from '../src/model-contract.js';
import { type InProcessPredictor, startPredictorInProcess } from './support/in-process.js';
import { writeMisfeedModel } from './support/models.js';
import { until } from './support/until.js';

/**
 * FailurePredictor in process on a real broker over mutual TLS, started the way Greengrass starts it:
 * `FAILURE_MODEL_DIR` is one version folder under the FailureModel artifacts root, and later versions
 * appear beside it as a model deployment places them. The component's own log is the observable.
 */
describe('GIVEN FailurePredictor started on FailureModel 1.0.0 with modelPath empty', () => {
  let dir: string;
  let root: string;
  let floor: TestFloor;
  let running: InProcessPredictor;
  const lines: Record<string, unknown>[] = [];
  const configuration = PredictorConfig.parse({ modelWatch: { debounceMs: 50, rescanMs: 60_000 } });
  const switchedTo = (modelVersion: string) =>
    lines.some((l) => l.message === 'model switched' && l.to === modelVersion);
  const version = async (name: string) => {
    await mkdir(join(root, name), { recursive: true });
    await writeMisfeedModel(join(root, name), `model-${name}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'model-following-'));
    root = join(dir, 'packages', 'artifacts', 'com.croupier.FailureModel');
    await version('1.0.0');
    await mkdir(join(dir, 'pki'));
    floor = await startTestFloor(join(dir, 'pki'));
    const logger = createLogger({ component: COMPONENT_NAME, sink: (line) => lines.push(JSON.parse(line)) });
    running = await startPredictorInProcess(floor, {
      configuration,
      logger,
      modelDir: join(root, '1.0.0'),
      workDirectory: join(dir, 'work'),
    });
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('THEN it runs the started version, and switches live when a newer version folder is placed beside it', async () => {
    expect(lines.find((l) => l.message === 'model loaded')).toMatchObject({
      modelVersion: 'model-1.0.0',
      componentVersion: '1.0.0',
      pinned: false,
    });

    await version('1.1.0');

    await until('the switch to 1.1.0', () => switchedTo('model-1.1.0'));
    expect(lines.find((l) => l.message === 'model switched')).toMatchObject({
      from: 'model-1.0.0',
      to: 'model-1.1.0',
      componentVersion: '1.1.0',
      modelPath: join(root, '1.1.0', 'failure-model.onnx'),
    });
  });

  it('WHEN a newer version breaks the contract THEN it is refused, logged, and the running model stays', async () => {
    // Made aside and moved in whole, so the follower never sees the valid card written first.
    const staging = join(dir, 'staging-1.2.0');
    await mkdir(staging);
    await writeMisfeedModel(staging, 'model-1.2.0');
    const card = JSON.parse(await readFile(join(staging, MODEL_CARD_FILE), 'utf8'));
    await writeFile(
      join(staging, MODEL_CARD_FILE),
      JSON.stringify({ ...card, featureSetVersion: 'shuffler-features/1' }),
    );
    await rename(staging, join(root, '1.2.0'));

    await until('the refusal', () => lines.some((l) => l.message === 'model version refused'));
    expect(lines.find((l) => l.message === 'model version refused')).toMatchObject({
      componentVersion: '1.2.0',
      modelPath: join(root, '1.2.0', 'failure-model.onnx'),
    });
    expect(switchedTo('model-1.2.0')).toBe(false);
  });

  it('WHEN modelPath pins a model THEN new versions are ignored until it is emptied, then the newest is followed again', async () => {
    const pinned = { ...configuration, modelPath: join(root, '1.0.0', 'failure-model.onnx') };
    await running.predictor.reconfigure?.(pinned, configuration);
    expect(lines.filter((l) => l.message === 'model switched').at(-1)).toMatchObject({ to: 'model-1.0.0' });

    await version('1.3.0');
    await new Promise((r) => setTimeout(r, 500));
    expect(switchedTo('model-1.3.0')).toBe(false);

    await running.predictor.reconfigure?.(configuration, pinned);

    await until('the switch to 1.3.0', () => switchedTo('model-1.3.0'));
  });
});
