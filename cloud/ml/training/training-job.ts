import { readFile } from 'node:fs/promises';
import { mlpLogit, mlpModelToOnnx } from '@croupier/failure-model';
import { contractCard, graphNamingFor, writeModelFiles } from '@croupier/failure-model/model-files';
import {
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  FEATURE_WINDOW,
  ModelCard,
  PredictorConfig,
} from '@croupier/failure-predictor';
import { readChannel } from '../dataset/channel-format.js';
import { labelFor } from '../dataset/feature-rows.js';
import { type Observation, scoreMetrics } from '../evaluation/alert-scoring.js';
import { precursorUnderWay } from '../evaluation/precursor-leads.js';
import { fitMlp } from './fit-mlp.js';
import { Hyperparameters } from './hyperparameters.js';
import { chooseOperatingPoint, predictionRows } from './operating-point.js';
import type { SageMakerLayout } from './sagemaker-layout.js';

/** Opset of the trained graph: Gemm, Relu and Sigmoid have had their current form since 13. */
export const MODEL_OPSET = 13;
export const MODEL_NAME = 'croupier-shuffler-failure';

/** The alert policy FailurePredictor runs with by default (its recipe's DefaultConfiguration). */
export function defaultAlertPolicy() {
  const { alerts, predictEveryMs } = PredictorConfig.parse({});
  return {
    policy: {
      raiseAt: alerts.raiseAt,
      clearAt: alerts.clearAt,
      confirmations: alerts.confirmations,
      minDwellMs: alerts.minDwellMs,
    },
    predictEveryMs,
  };
}

async function readHyperparameters(path: string): Promise<Hyperparameters> {
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = Hyperparameters.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid hyperparameters in ${path}: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * The training job: reads the `train` and `validation` channels, fits the perceptron on training rows
 * labelled "fails within horizon-hours", sets its operating point on the validation devices through
 * FailurePredictor's own alert hysteresis, and writes `failure-model.onnx` and `model-card.json` (the
 * FailureModel contract) into the model folder. Logs progress line by line; the last line carries the
 * validation metric in the form the SageMaker metric definition reads (`validation recall=0.93`).
 */
export async function runTrainingJob(layout: SageMakerLayout, log: (line: string) => void): Promise<ModelCard> {
  const hp = await readHyperparameters(layout.hyperparameters);
  const horizon = hp['horizon-hours'];
  log(`hyperparameters ${JSON.stringify(hp)}`);
  const train = await readChannel(layout.channel('train'));
  const validation = await readChannel(layout.channel('validation'));
  const manifest = train.manifest;
  if (manifest.featureSetVersion !== FEATURE_SET_VERSION || manifest.featureNames.join() !== FEATURE_NAMES.join()) {
    throw new Error(`dataset has ${manifest.featureSetVersion}; this job trains ${FEATURE_SET_VERSION}`);
  }
  if (horizon > manifest.maxHorizonHours) {
    throw new Error(`horizon ${horizon} h exceeds the ${manifest.maxHorizonHours} h the dataset's split was sized for`);
  }
  const x: number[][] = [];
  const y: (0 | 1)[] = [];
  for (const row of train.rows) {
    const label = row.down ? null : labelFor(row, horizon);
    if (label === null) continue;
    x.push([...row.features]);
    y.push(label);
  }
  const positives = y.filter((v) => v === 1).length;
  if (positives === 0 || positives === y.length)
    throw new Error(`training rows need both classes (${positives} of ${y.length} positive)`);
  const positiveWeight =
    hp['positive-weight'] > 0 ? hp['positive-weight'] : Math.min(50, (y.length - positives) / positives);
  log(
    `training on ${y.length} rows (${positives} fail within ${horizon} h), positive weight ${positiveWeight.toFixed(2)}`,
  );
  const started = Date.now();
  const fitted = await fitMlp(
    x,
    y,
    {
      hiddenUnits: hp['hidden-units'],
      epochs: hp.epochs,
      batchSize: hp['batch-size'],
      learningRate: hp['learning-rate'],
      l2: hp.l2,
      positiveWeight,
      seed: hp.seed,
    },
    ({ epoch, epochs, loss }) => log(`epoch ${epoch}/${epochs} loss=${loss.toFixed(5)}`),
  );
  log(`fitted in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const { policy, predictEveryMs } = defaultAlertPolicy();
  const rows = predictionRows(validation.rows, predictEveryMs);
  const period = manifest.split.validation;
  const observations: Observation[] = period.deviceIds.map((deviceId) => ({
    deviceId,
    fromMs: period.fromMs,
    toMs: period.toMs,
  }));
  const minLead = hp['min-lead-hours'];
  const scoring = {
    minLeadHours: minLead,
    creditHours: Math.max(horizon, 168),
    warmupMs: FEATURE_WINDOW.durationMs + minLead * 3_600_000,
    afterDownMs: FEATURE_WINDOW.durationMs,
    achievable: precursorUnderWay(minLead),
  };
  const point = chooseOperatingPoint(
    rows,
    rows.map((r) => mlpLogit(fitted, r.features)),
    validation.maintenance,
    observations,
    policy,
    scoring,
    hp['max-false-alarms-per-shuffler-month'],
  );
  const model = { ...fitted, outputBias: fitted.outputBias + point.logitShift };
  const s = point.score;
  log(
    `operating point: logit shift ${point.logitShift}; validation: ${s.achievable.caughtEarly}/${s.achievable.failures} achievable failures caught ≥ ${minLead} h ahead, ${s.alarms.false} false alarms in ${s.shufflerMonths.toFixed(1)} shuffler-months`,
  );

  const modelVersion = hp['model-version'] ?? `1.${Math.floor(Date.now() / 1000)}.0`;
  const card = ModelCard.parse(
    contractCard({
      modelName: MODEL_NAME,
      modelVersion,
      createdAt: new Date().toISOString(),
      horizonHours: horizon,
      opset: MODEL_OPSET,
      thresholds: { raiseAt: policy.raiseAt, clearAt: policy.clearAt },
      training: {
        algorithm: `MLP ${FEATURE_NAMES.length}-${hp['hidden-units']}-1 (ReLU, sigmoid), weighted binary cross-entropy, Adam, L2; standardisation folded into the first layer`,
        library: 'TensorFlow.js layers 4 (CPU backend, pure JavaScript)',
        hyperparameters: hp,
        label: `fails within ${horizon} h after the window's newest reading`,
        dataWindow: {
          from: new Date(manifest.source.startMs).toISOString(),
          to: new Date(manifest.source.endMs).toISOString(),
          trainPeriod: [
            new Date(manifest.split.train.fromMs).toISOString(),
            new Date(manifest.split.train.toMs).toISOString(),
          ],
          testPeriodFrom: new Date(manifest.split.test.fromMs).toISOString(),
        },
        split: {
          trainDevices: manifest.split.train.deviceIds.length,
          validationDevices: manifest.split.validation.deviceIds.length,
          testDevices: manifest.split.test.deviceIds.length,
          gapHours: manifest.split.gapMs / 3_600_000,
        },
        trainRows: y.length,
        trainPositives: positives,
        positiveWeight,
        operatingPoint: {
          logitShift: point.logitShift,
          maxFalseAlarmsPerShufflerMonth: hp['max-false-alarms-per-shuffler-month'],
        },
        alertPolicy: { ...policy, predictEveryMs },
      },
      metrics: scoreMetrics('validation', s),
    }),
  );
  const onnx = mlpModelToOnnx(
    model,
    graphNamingFor(card, `Croupier shuffler failure model ${modelVersion}: P(failure within ${horizon} h)`, {
      featureSetVersion: FEATURE_SET_VERSION,
      featureNames: FEATURE_NAMES.join(','),
    }),
  );
  const { modelPath, cardPath } = await writeModelFiles(layout.model, onnx, card);
  log(`wrote ${modelPath} (${onnx.length} bytes) and ${cardPath}, model ${modelVersion}`);
  log(`validation precision=${fmt(s.precision)} false-alarms-per-shuffler-month=${fmt(s.falseAlarmsPerShufflerMonth)}`);
  log(`validation recall=${fmt(s.achievable.recallEarly)}`);
  return card;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '0');
