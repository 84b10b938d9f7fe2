import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FailurePrediction,
  LOCAL_TOPICS,
  newEventId,
  SCHEMA_VERSION,
  type ShufflerTelemetry,
} from '@croupier/contracts';
import { createTestPki, startTlsBroker, type TlsBroker } from '@croupier/edge-kit/testing';
import { DEFAULT_BASELINE, trainBaseline } from '@croupier/failure-model';
import { FEATURE_WINDOW } from '@croupier/failure-predictor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningComponent, startComponent } from '../../scripts/start/component-process.js';
import {
  currentFailureModelDir,
  LocalDeploymentFailed,
  type LocalDeployments,
  releaseToLocalFloor,
  startLocalDeployments,
} from '../../scripts/start/local-deployments.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const predictorDir = join(repositoryRoot, 'components', 'failure-predictor');
const T0 = Date.UTC(2026, 10, 22, 0, 0, 0);

/** A healthy blackjack shuffler's reading `minutes` after T0 (device hours advance with it). */
function reading(minutes: number): ShufflerTelemetry {
  return {
    eventId: newEventId(),
    eventTime: T0 + minutes * 60_000,
    schemaVersion: SCHEMA_VERSION,
    type: 'shuffler_telemetry',
    deviceId: 'shuffler-1',
    game: 'blackjack',
    counters: { shufflesTotal: 1_000 + minutes, misfeedsTotal: 10, jamsTotal: 1, cardCountErrorsTotal: 2 },
    gauges: {
      shufflesPerHour: 18,
      cycleTimeSeconds: 60,
      motorCurrentAmps: 1.2,
      temperatureCelsius: 35,
      hoursSinceService: 100 + minutes / 60,
    },
    state: 'idle',
    faultCode: 'none',
    sensors: { inputTrayOptical: true, outputTrayOptical: true, cardCounter: true, doorClosed: true },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The local nucleus's deployments against a REAL FailurePredictor process started the way the floor
 * starts it (component-process.ts: tsx, mutual TLS to an aedes broker, watched configuration file),
 * with the floor's baseline model in `<state>/components/com.croupier.FailureModel/artifacts`: new
 * versions land beside it, and the predictor finds them itself.
 */
describe('GIVEN a running FailurePredictor on the local floor with the baseline model', () => {
  let dir: string;
  let stateDir: string;
  let models: string;
  let broker: TlsBroker;
  let predictor: RunningComponent;
  let deployments: LocalDeployments;
  const predictions: FailurePrediction[] = [];
  const floorLog: string[] = [];
  let minute = 0;
  const publish = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      minute += 10;
      await new Promise<void>((resolve, reject) =>
        broker.aedes.publish(
          {
            cmd: 'publish',
            topic: LOCAL_TOPICS.shufflerTelemetry,
            payload: Buffer.from(JSON.stringify(reading(minute))),
            qos: 0,
            retain: false,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    }
  };
  /** Publishes one reading and returns the model version of the prediction it produces. */
  const nextPredictionModel = async () => {
    const before = predictions.length;
    await publish(1);
    await until('a prediction', () => predictions.length > before);
    return predictions.at(-1)!.modelVersion;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-deployments-'));
    stateDir = join(dir, 'state');
    models = join(dir, 'models');
    const baselineDir = join(stateDir, 'components', 'com.croupier.FailureModel', 'artifacts');
    const small = { ...DEFAULT_BASELINE, devices: 6, days: 20 };
    await trainBaseline({ ...small, seed: 5, modelVersion: 'baseline', outDir: baselineDir });
    await trainBaseline({ ...small, seed: 6, modelVersion: 'retrained-1', outDir: join(models, 'good') });
    // A model whose card follows the contract but whose ONNX graph is garbage: only loading it shows.
    await cp(join(models, 'good'), join(models, 'corrupt'), { recursive: true });
    await writeFile(join(models, 'corrupt', 'failure-model.onnx'), Buffer.from('not an onnx graph'));
    const card = JSON.parse(await readFile(join(models, 'good', 'model-card.json'), 'utf8'));
    await writeFile(join(models, 'corrupt', 'model-card.json'), JSON.stringify({ ...card, modelVersion: 'corrupt' }));
    await cp(join(models, 'good'), join(models, 'old-features'), { recursive: true });
    await writeFile(
      join(models, 'old-features', 'model-card.json'),
      JSON.stringify({ ...card, featureSetVersion: 'shuffler-features/1' }),
    );

    const certs = join(dir, 'certs');
    await mkdir(certs);
    const pki = await createTestPki(certs);
    broker = await startTlsBroker({ ca: pki.ca, server: pki.server });
    const identity = await pki.client('core-test-FailurePredictor');
    await new Promise<void>((resolve) =>
      broker.aedes.subscribe(
        LOCAL_TOPICS.predictions,
        (packet, done) => {
          const prediction = FailurePrediction.parse(JSON.parse(packet.payload.toString()));
          // No Uplink acknowledges here, so the predictor also resends each prediction: count it once.
          if (!predictions.some((p) => p.eventId === prediction.eventId)) predictions.push(prediction);
          done();
        },
        resolve,
      ),
    );
    predictor = await startComponent(
      {
        name: 'com.croupier.FailurePredictor',
        entryPoint: join(predictorDir, 'src', 'main.ts'),
        recipePath: join(predictorDir, 'recipe.yaml'),
        configuration: { predictEveryMs: 0, modelWatch: { debounceMs: 100, rescanMs: 5_000 } },
        local: { host: broker.host, port: broker.port, identity: { ...identity, caPath: pki.caPath } },
        env: { FAILURE_MODEL_DIR: await currentFailureModelDir(stateDir, baselineDir) },
      },
      { componentsDir: join(stateDir, 'components'), logsDir: join(stateDir, 'logs') },
      'core-test',
    );
    await predictor.running;
    deployments = await startLocalDeployments({
      stateDir,
      predictor,
      log: (message, fields) => floorLog.push(`${message} ${JSON.stringify(fields)}`),
      confirmTimeoutMs: 30_000,
    });
    await publish(13);
    // Each reading from the window's minimum on yields a prediction: wait for all, so that none is
    // still on its way when a test takes the next one as its own.
    await until('the first predictions', () => predictions.length >= 13 - FEATURE_WINDOW.minReadings + 1);
  }, 150_000);

  afterAll(async () => {
    await deployments?.close();
    await predictor?.stop(10_000);
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const configurationPath = () => join(stateDir, 'components', 'com.croupier.FailurePredictor', 'configuration.json');

  it('WHEN the model loop releases a new model THEN the running predictor finds the version folder and switches to it live, same process', async () => {
    expect(await nextPredictionModel()).toBe('baseline');
    const configurationBefore = await readFile(configurationPath(), 'utf8');

    const status = await releaseToLocalFloor({ stateDir, modelDir: join(models, 'good') });

    const versionDir = join(stateDir, 'components', 'com.croupier.FailureModel', '1.0.0');
    expect(status).toMatchObject({
      status: 'SUCCEEDED',
      componentVersion: '1.0.0',
      modelVersion: 'retrained-1',
      modelPath: join(versionDir, 'failure-model.onnx'),
      predictorPid: predictor.pid,
    });
    expect((await readdir(versionDir)).sort()).toEqual(['failure-model.onnx', 'model-card.json']);
    // The deployment carries FailureModel only: the predictor's configuration is not touched.
    expect(await readFile(configurationPath(), 'utf8')).toBe(configurationBefore);
    // The very next reading is scored by the new model: the process and its windows survived.
    expect(await nextPredictionModel()).toBe('retrained-1');
    expect(await readFile(predictor.logPath, 'utf8')).toContain('"message":"model switched"');
    await expect(
      Promise.race([predictor.exited, new Promise((r) => setTimeout(() => r('running'), 100))]),
    ).resolves.toBe('running');
    // A restarted floor starts the predictor on the deployed version.
    expect(await currentFailureModelDir(stateDir, 'baseline-dir')).toBe(versionDir);
  });

  it('WHEN a model whose graph does not load is released THEN the predictor refuses it and keeps running the current one', async () => {
    const before = await readFile(configurationPath(), 'utf8');

    const failure = await releaseToLocalFloor({ stateDir, modelDir: join(models, 'corrupt') }).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(LocalDeploymentFailed);
    const status = (failure as LocalDeploymentFailed).status;
    expect(status).toMatchObject({ status: 'FAILED', componentVersion: '1.1.0', modelVersion: 'corrupt' });
    expect(status.reason).toMatch(/^FailurePredictor refused the model: /);
    // The refused version is gone, so the version that runs stays the newest valid one.
    expect(await readdir(join(stateDir, 'components', 'com.croupier.FailureModel'))).not.toContain('1.1.0');
    expect(await readFile(configurationPath(), 'utf8')).toBe(before);
    expect(await readFile(predictor.logPath, 'utf8')).toContain('"message":"model version refused"');
    expect(await nextPredictionModel()).toBe('retrained-1');
    const statusFile = JSON.parse(
      await readFile(join(stateDir, 'deployments', `${status.deploymentId}.status.json`), 'utf8'),
    );
    expect(statusFile.status).toBe('FAILED');
  });

  it('WHEN a model built for another feature set is released THEN it is refused before it reaches the floor', async () => {
    const inbox = await readdir(join(stateDir, 'deployments'));
    await expect(releaseToLocalFloor({ stateDir, modelDir: join(models, 'old-features') })).rejects.toThrow(
      /built for shuffler-features\/1/,
    );
    expect(await readdir(join(stateDir, 'deployments'))).toEqual(inbox);
  });

  it('WHEN a deployment document names artifacts whose digest does not match THEN the floor refuses it', async () => {
    await writeFile(
      join(stateDir, 'deployments', 'tampered.json'),
      JSON.stringify({
        deploymentId: 'tampered',
        component: 'com.croupier.FailureModel',
        componentVersion: '1.5.0',
        artifactsDir: join(models, 'good'),
        sha256: { 'failure-model.onnx': '0'.repeat(64), 'model-card.json': '0'.repeat(64) },
      }),
    );
    const statusPath = join(stateDir, 'deployments', 'tampered.status.json');
    let status: { status?: string; reason?: string } = {};
    await until('the refusal', async () => {
      status = await readFile(statusPath, 'utf8').then(
        (text) => JSON.parse(text),
        () => ({}),
      );
      return status.status === 'FAILED';
    });
    expect(status.reason).toMatch(/failure-model\.onnx has SHA-256 [0-9a-f]{64}, the deployment says 0{64}/);
    expect(await nextPredictionModel()).toBe('retrained-1');
    expect(floorLog.some((line) => line.startsWith('local deployment FAILED'))).toBe(true);
  });
  it('WHEN an earlier model is released again as a new version THEN the predictor rolls back to it live; an older version number is refused', async () => {
    const versions = join(stateDir, 'components', 'com.croupier.FailureModel');
    const upgraded = await releaseToLocalFloor({ stateDir, modelDir: join(versions, 'artifacts') });
    expect(upgraded.componentVersion).toBe('1.1.0');
    expect(await nextPredictionModel()).toBe('baseline');

    const rolledBack = await releaseToLocalFloor({ stateDir, modelDir: join(versions, '1.0.0') });

    expect(rolledBack).toMatchObject({
      status: 'SUCCEEDED',
      componentVersion: '1.2.0',
      modelVersion: 'retrained-1',
      previousModelPath: join(versions, '1.1.0', 'failure-model.onnx'),
      predictorPid: predictor.pid,
    });
    expect(await nextPredictionModel()).toBe('retrained-1');

    // The predictor runs the newest valid version, so an older number could never run: refused up front.
    const older = await releaseToLocalFloor({
      stateDir,
      modelDir: join(versions, 'artifacts'),
      componentVersion: '1.1.5',
    }).catch((error: unknown) => error);
    expect(older).toBeInstanceOf(LocalDeploymentFailed);
    expect((older as LocalDeploymentFailed).status.reason).toMatch(/older than 1\.2\.0 on the floor/);
    expect(await readdir(versions)).not.toContain('1.1.5');
    expect(await nextPredictionModel()).toBe('retrained-1');
  });

  it('WHEN the floor stopped mid-deployment THEN a release waits for no one, and the restarted floor records it FAILED', async () => {
    await deployments.close();
    await expect(releaseToLocalFloor({ stateDir, modelDir: join(models, 'good') })).rejects.toThrow(
      /no local floor is running/,
    );
    const inbox = join(stateDir, 'deployments');
    await writeFile(
      join(inbox, 'stuck.json'),
      JSON.stringify({
        deploymentId: 'stuck',
        component: 'com.croupier.FailureModel',
        componentVersion: '1.6.0',
        artifactsDir: join(models, 'good'),
        sha256: { 'failure-model.onnx': '0'.repeat(64), 'model-card.json': '0'.repeat(64) },
      }),
    );
    await writeFile(
      join(inbox, 'stuck.status.json'),
      JSON.stringify({
        deploymentId: 'stuck',
        status: 'IN_PROGRESS',
        componentVersion: '1.6.0',
        updatedAt: new Date().toISOString(),
      }),
    );

    // The stopped floor had begun placing the version: a half-written folder is left.
    const leftover = join(stateDir, 'components', 'com.croupier.FailureModel', '1.6.0');
    await mkdir(leftover);
    await writeFile(join(leftover, 'failure-model.onnx'), Buffer.from('half a download'));

    deployments = await startLocalDeployments({ stateDir, predictor, log: () => {}, confirmTimeoutMs: 30_000 });

    let status: { status?: string; reason?: string } = {};
    await until('the interrupted deployment to be closed', async () => {
      status = JSON.parse(await readFile(join(inbox, 'stuck.status.json'), 'utf8'));
      return status.status !== 'IN_PROGRESS';
    });
    expect(status).toMatchObject({ status: 'FAILED', reason: 'interrupted by a floor restart' });
    expect(await readdir(join(stateDir, 'components', 'com.croupier.FailureModel'))).not.toContain('1.6.0');
    expect(await nextPredictionModel()).toBe('retrained-1');
  });
});
