import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FailurePrediction, LOCAL_TOPICS } from '@croupier/contracts';
import { createTestPki, startTlsBroker, type TlsBroker } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_WINDOW } from '../src/features.js';
import { trainSmallModel } from './support/models.js';
import { reading } from './support/telemetry.js';
import { until } from './support/until.js';

const run = promisify(execFile);
const componentDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/**
 * The artifact `gdk component build` produces, unpacked and run as its own process on the local floor
 * (MQTT over mutual TLS to a real aedes broker), with the FailureModel artifacts in a folder as
 * Greengrass would place them (`FAILURE_MODEL_DIR`), and a deployment that moves it to a new model.
 */
describe('GIVEN the built FailurePredictor artifact on the local floor', () => {
  let dir: string;
  let broker: TlsBroker;
  let child: ChildProcess;
  let configPath: string;
  let settingsPath: string;
  const predictions: FailurePrediction[] = [];
  /** Every copy of every prediction published, by eventId. */
  const copies = new Map<string, number>();
  const logs: string[] = [];
  let minute = 0;
  const publishRaw = (payload: string) =>
    new Promise<void>((resolve, reject) =>
      broker.aedes.publish(
        {
          cmd: 'publish',
          topic: LOCAL_TOPICS.shufflerTelemetry,
          payload: Buffer.from(payload),
          qos: 0,
          retain: false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  const publish = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      minute += 10;
      await publishRaw(JSON.stringify(reading(minute)));
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failure-predictor-bundle-'));
    await run(tsx, ['scripts/build.ts'], { cwd: componentDir });
    const zip = join(
      componentDir,
      'greengrass-build/artifacts/com.croupier.FailurePredictor/1.0.0/failure-predictor.zip',
    );
    await run('unzip', ['-q', zip, '-d', join(dir, 'failure-predictor')]);
    await mkdir(join(dir, 'work'));
    await trainSmallModel(join(dir, 'models/1.0.0'), '1.0.0', 5);
    await trainSmallModel(join(dir, 'models/1.1.0'), '1.1.0', 6);
    const pki = await createTestPki(dir);
    broker = await startTlsBroker({ ca: pki.ca, server: pki.server });
    const identity = await pki.client('core-predictor-test');
    configPath = join(dir, 'configuration.json');
    await writeFile(configPath, JSON.stringify({ predictEveryMs: 0 }));
    settingsPath = join(dir, 'settings.json');
    await writeFile(
      settingsPath,
      JSON.stringify({
        local: {
          host: broker.host,
          port: broker.port,
          caPath: pki.caPath,
          certPath: identity.certPath,
          keyPath: identity.keyPath,
        },
        recipePath: join(componentDir, 'greengrass-build/recipes/recipe.yaml'),
        configurationPath: configPath,
      }),
    );
    await new Promise<void>((resolve) =>
      broker.aedes.subscribe(
        LOCAL_TOPICS.predictions,
        (packet, done) => {
          const prediction = FailurePrediction.parse(JSON.parse(packet.payload.toString()));
          copies.set(prediction.eventId, (copies.get(prediction.eventId) ?? 0) + 1);
          // No Uplink acknowledges here, so each prediction is also resent: count it once.
          if (!predictions.some((p) => p.eventId === prediction.eventId)) predictions.push(prediction);
          done();
        },
        resolve,
      ),
    );
    await startChild();
  }, 240_000);

  /** Starts the component as Greengrass would: its work folder (where its outbox lives) as the working directory. */
  const startChild = async () => {
    logs.length = 0;
    child = spawn(process.execPath, [join(dir, 'failure-predictor', 'main.mjs')], {
      cwd: join(dir, 'work'),
      env: {
        PATH: process.env.PATH,
        CROUPIER_LOCAL_FLOOR_SETTINGS: settingsPath,
        AWS_IOT_THING_NAME: 'core-predictor-test',
        FAILURE_MODEL_DIR: join(dir, 'models/1.0.0'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    await until(`the component to run; logs: ${logs.join('')}`, () => logs.join('').includes('"running"'), 60_000);
  };
  const stopChild = async (signal: NodeJS.Signals) => {
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill(signal);
    return closed;
  };

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN telemetry arrives among bad messages THEN the bad ones are dropped and predictions flow', async () => {
    await publishRaw('not json');
    await publishRaw(JSON.stringify({ ...reading(1), counters: { shufflesTotal: -1 } }));
    await publish(FEATURE_WINDOW.minReadings + 4);
    await until(`predictions; logs: ${logs.join('')}`, () => predictions.length >= 5);
    expect(predictions.every((p) => p.modelVersion === '1.0.0')).toBe(true);
    expect(logs.join('')).toContain('telemetry is not JSON');
    expect(logs.join('')).toContain('telemetry refused by the contract');
  });

  it('WHEN a deployment points at a new model version THEN it switches live and keeps the windows', async () => {
    await writeFile(
      configPath,
      JSON.stringify({ predictEveryMs: 0, modelPath: join(dir, 'models/1.1.0/failure-model.onnx') }),
    );
    await until(`the switch; logs: ${logs.join('')}`, () => logs.join('').includes('model switched'));
    const before = predictions.length;
    await publish(1);
    // The very next reading is predicted by the new model: the window survived the switch.
    await until('a prediction after the switch', () => predictions.length === before + 1);
    expect(predictions.at(-1)!.modelVersion).toBe('1.1.0');
    expect(child.exitCode).toBeNull();
  });

  it('WHEN a deployment points at a model that breaks the contract THEN it is refused and the current one keeps running', async () => {
    await writeFile(
      configPath,
      JSON.stringify({ predictEveryMs: 0, modelPath: join(dir, 'missing/failure-model.onnx') }),
    );
    const refused = () =>
      logs.join('').includes('could not be applied') && logs.join('').includes('cannot read model card');
    await until(`the refusal; logs: ${logs.join('')}`, refused);
    const before = predictions.length;
    await publish(1);
    await until('a prediction after the refusal', () => predictions.length === before + 1);
    expect(predictions.at(-1)!.modelVersion).toBe('1.1.0');
  });

  it('WHEN killed -9 with predictions nobody confirmed THEN the next start on the same work folder publishes them again with their eventIds, and once Uplink confirms them it does not', async () => {
    // No Uplink acknowledged anything so far: every prediction made is unconfirmed. Each was written to
    // the outbox in the tick it was made, before its first publish.
    const unconfirmed = [...copies.keys()];
    expect(unconfirmed.length).toBeGreaterThanOrEqual(7);
    await writeFile(configPath, JSON.stringify({ predictEveryMs: 0 }));
    expect(await stopChild('SIGKILL')).toBeNull();
    const before = new Map(copies);

    await startChild();
    await until('every unconfirmed prediction published again', () =>
      unconfirmed.every((id) => copies.get(id)! > before.get(id)!),
    );
    expect(copies.size).toBe(unconfirmed.length);
    expect(logs.join('')).toContain('were never confirmed; sending them again');

    // Uplink confirms them; then a clean stop and a start publish none of them again.
    await new Promise<void>((resolve, reject) =>
      broker.aedes.publish(
        {
          cmd: 'publish',
          topic: LOCAL_TOPICS.intakeAcks,
          payload: Buffer.from(JSON.stringify({ stream: 'alert', eventIds: unconfirmed })),
          qos: 1,
          retain: false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    expect(await stopChild('SIGTERM')).toBe(0);
    expect(logs.join('')).not.toContain('Uplink has not confirmed');
    const confirmed = new Map(copies);
    await startChild();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(copies).toEqual(confirmed);
    expect(logs.join('')).not.toContain('sending them again');
  });

  it('WHEN it gets SIGTERM THEN it stops cleanly', async () => {
    expect(await stopChild('SIGTERM')).toBe(0);
  });
});
