import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  FailureModelSession,
  FEATURE_NAMES,
  FEATURE_WINDOW,
  MODEL_CARD_FILE,
  MODEL_FILE,
  ModelCard,
} from '@croupier/failure-predictor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../dataset/build-dataset.js';
import { readChannel } from '../dataset/channel-format.js';
import { evaluateCandidate } from '../evaluation/evaluate-candidate.js';
import { sageMakerLayout } from '../training/sagemaker-layout.js';
import { runTrainingJob } from '../training/training-job.js';
import { writeLinearModel } from './support/model-files.js';
import { writeTinyHistory } from './support/tiny-fleet.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const run = promisify(execFile);

let dir: string;
let lake: string;
const layout = () => sageMakerLayout(join(dir, 'opt-ml'));
const log: string[] = [];
let card: ModelCard;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'croupier-ml-training-'));
  lake = join(dir, 'lake');
  await writeTinyHistory(lake, { devices: 6, days: 8 });
  await buildDataset(lake, dirname(layout().channel('train')), {
    maxHorizonHours: 24,
    trainEveryMinutes: 15,
    split: { testDeviceShare: 0.2, validationDeviceShare: 0.2, testPeriodShare: 0.3 },
  });
  await mkdir(dirname(layout().hyperparameters), { recursive: true });
  // As SageMaker writes them: every value a string.
  await writeFile(
    layout().hyperparameters,
    JSON.stringify({ 'horizon-hours': '24', epochs: '3', 'hidden-units': '8', 'model-version': '1.2.3' }),
  );
  card = await runTrainingJob(layout(), (line) => log.push(line));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('training job under the SageMaker contract', () => {
  it('GIVEN channels and string hyperparameters THEN it writes a model FailurePredictor loads, with its card', async () => {
    const session = await FailureModelSession.load(join(layout().model, MODEL_FILE), FEATURE_WINDOW);
    expect(session.version).toBe('1.2.3');
    expect(session.horizonHours).toBe(24);
    const { rows } = await readChannel(layout().channel('validation'));
    const p = await session.predict(rows.slice(0, 50).map((r) => r.features));
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    await session.release();
    const written = ModelCard.parse(JSON.parse(await readFile(join(layout().model, MODEL_CARD_FILE), 'utf8')));
    expect(written).toEqual(card);
    expect(written.featureNames).toEqual(FEATURE_NAMES);
    expect(written.training).toMatchObject({
      hyperparameters: { epochs: 3, 'hidden-units': 8 },
      trainRows: expect.any(Number),
    });
    expect(written.training?.dataWindow).toMatchObject({ from: '2026-01-01T00:00:00.000Z' });
    expect(Object.keys(written.metrics ?? {})).toContain('validationFalseAlarmsPerShufflerMonth');
  });

  it('GIVEN training THEN it logs each epoch and ends with the metric line the SageMaker regex reads', async () => {
    expect(log.filter((l) => /^epoch \d+\/3 loss=\d+\.\d+$/.test(l))).toHaveLength(3);
    const config = JSON.parse(await readFile(join(repositoryRoot, 'cloud', 'infra', 'config', 'dev.json'), 'utf8')) as {
      ml: { evaluation: { metricRegex: string } };
    };
    const match = new RegExp(config.ml.evaluation.metricRegex).exec(log[log.length - 1]!);
    expect(match?.[1]).toBeDefined();
    expect(Number(match![1])).toBeGreaterThanOrEqual(0);
  });

  it('GIVEN a bad hyperparameter THEN the entrypoint fails with the reason in output/failure', async () => {
    const root = join(dir, 'bad-opt-ml');
    const bad = sageMakerLayout(root);
    await cp(dirname(layout().channel('train')), dirname(bad.channel('train')), { recursive: true });
    await mkdir(dirname(bad.hyperparameters), { recursive: true });
    await writeFile(bad.hyperparameters, JSON.stringify({ epochs: 'many' }));
    const entry = join(repositoryRoot, 'cloud', 'ml', 'training', 'main.ts');
    const outcome = await run(process.execPath, ['--import', 'tsx', entry, 'train', '--root', root], {
      cwd: repositoryRoot,
    }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    expect(outcome).toBe(1);
    expect(await readFile(bad.failure, 'utf8')).toMatch(/invalid hyperparameters.*epochs/s);
  });
});

describe('evaluation gate on replayed fleets', () => {
  it('GIVEN a candidate that misses what the deployed model catches THEN the gate refuses it', async () => {
    // Deployed: a hand-set detector of the roller-wear and motor precursors (misfeeds, motor current).
    const deployed = await writeLinearModel(
      join(dir, 'deployed'),
      '1.0.0',
      { misfeedsPerShuffle: 100, motorCurrentRatio: 30 },
      -8 - 33.6,
    );
    // Candidate: a model that never alerts.
    const candidate = await writeLinearModel(join(dir, 'candidate'), '1.1.0', {}, -30);
    const result = await evaluateCandidate({
      candidateDir: candidate,
      channelsDir: dirname(layout().channel('train')),
      fleet: { lakeDir: lake },
      deployedDir: deployed,
      // Floors off: only the comparison with the deployed model decides here.
      gatePolicy: {
        minRecall: 0,
        maxFalseAlarmsPerShufflerMonth: 1_000,
        recallTolerance: 0.02,
        falseAlarmTolerance: 0.1,
      },
    });
    expect(result.evaluation.scores.deployed!.achievable.caughtEarly).toBeGreaterThan(0);
    expect(result.evaluation.scores.candidate!.achievable.caught).toBe(0);
    expect(result.gate.accepted).toBe(false);
    expect(result.gate.reasons.join()).toMatch(/worse than the deployed model/);
    // The verdict and the figures are in the candidate's card.
    const written = ModelCard.parse(JSON.parse(await readFile(join(candidate, MODEL_CARD_FILE), 'utf8')));
    expect(written.metrics?.testRecallAchievableEarly).toBe(0);
    expect(written.training?.evaluation).toMatchObject({ gate: { accepted: false } });
    expect(result.report).toMatch(/threshold rule/);
  });
});
