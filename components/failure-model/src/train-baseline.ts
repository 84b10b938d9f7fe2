import { FEATURE_NAMES, FEATURE_SET_VERSION, type ModelCard } from '@croupier/failure-predictor';
import { type LinearModel, linearModelToOnnx } from './linear-model-onnx.js';
import { fitLogisticRegression, predictLinear } from './logistic-regression.js';
import { contractCard, graphNamingFor, writeModelFiles } from './model-files.js';
import { type DatasetOptions, type Sample, simulatedDataset } from './training-data.js';

/** Opset of the baseline graph (Gemm and Sigmoid have had their current form since 13). */
export const BASELINE_OPSET = 13;

export interface BaselineOptions extends DatasetOptions {
  readonly outDir: string;
  readonly modelVersion: string;
  readonly l2: number;
  readonly raiseAt: number;
  readonly clearAt: number;
}

/** A small fleet and a month: enough for a baseline in seconds. */
export const DEFAULT_BASELINE: Omit<BaselineOptions, 'outDir'> = {
  devices: 24,
  days: 45,
  stepMinutes: 10,
  sampleEveryMinutes: 60,
  horizonHours: 24,
  seed: 20_261_121,
  holdoutShare: 0.25,
  modelVersion: '0.1.0-baseline',
  l2: 1,
  raiseAt: 0.7,
  clearAt: 0.4,
};

export interface BaselineResult {
  readonly modelPath: string;
  readonly cardPath: string;
  readonly card: ModelCard;
  readonly model: LinearModel;
  readonly holdout: readonly Sample[];
}

/** Area under the ROC curve by the rank statistic (ties averaged). */
function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPositive = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) j += 1;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k += 1) {
      if (order[k]![1] === 1) {
        rankSumPositive += rank;
        positives += 1;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function evaluate(model: LinearModel, samples: readonly Sample[], threshold: number): Record<string, number> {
  const scores = samples.map((s) => predictLinear(model, s.features));
  const labels = samples.map((s) => s.label);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((p, i) => {
    if (p >= threshold && labels[i] === 1) tp += 1;
    else if (p >= threshold) fp += 1;
    else if (labels[i] === 1) fn += 1;
  });
  return {
    samples: samples.length,
    positives: labels.filter((l) => l === 1).length,
    rocAuc: rocAuc(scores, labels),
    precisionAtRaise: tp + fp === 0 ? 0 : tp / (tp + fp),
    recallAtRaise: tp + fn === 0 ? 0 : tp / (tp + fn),
  };
}

/**
 * Trains the baseline FailureModel from simulated fleet history and writes `failure-model.onnx` and
 * `model-card.json` into `outDir`. The model is a logistic regression over the shared feature set,
 * serialised as ONNX Gemm + Sigmoid; the card records data, features, window, horizon and holdout metrics.
 */
export async function trainBaseline(
  options: BaselineOptions,
  log: (line: string) => void = () => {},
): Promise<BaselineResult> {
  log(`simulating ${options.devices} shufflers for ${options.days} days`);
  const samples = simulatedDataset(options);
  const train = samples.filter((s) => !s.holdout);
  const holdout = samples.filter((s) => s.holdout);
  const positives = train.filter((s) => s.label === 1).length;
  if (positives === 0) throw new Error('no failures in the training data: simulate more devices or days');
  log(`training on ${train.length} samples (${positives} positive), holding out ${holdout.length}`);
  const model = fitLogisticRegression(
    train.map((s) => s.features),
    train.map((s) => s.label),
    {
      l2: options.l2,
      maxIterations: 50,
      tolerance: 1e-8,
      positiveWeight: Math.min(50, (train.length - positives) / positives),
    },
  );
  const metrics = evaluate(model, holdout, options.raiseAt);
  log(`holdout: ${JSON.stringify(metrics)}`);
  const card = contractCard({
    modelName: 'croupier-shuffler-failure',
    modelVersion: options.modelVersion,
    createdAt: new Date().toISOString(),
    horizonHours: options.horizonHours,
    opset: BASELINE_OPSET,
    thresholds: { raiseAt: options.raiseAt, clearAt: options.clearAt },
    training: {
      algorithm: 'logistic regression (IRLS, L2, class-weighted), standardisation folded into the weights',
      data: 'simulated fleet history from the shuffler simulator physical model (@croupier/simulators)',
      devices: options.devices,
      days: options.days,
      stepMinutes: options.stepMinutes,
      sampleEveryMinutes: options.sampleEveryMinutes,
      seed: options.seed,
      split: `by device: last ${Math.round(options.holdoutShare * 100)}% held out`,
      trainSamples: train.length,
      trainPositives: positives,
    },
    metrics,
  });
  const onnx = linearModelToOnnx(
    model,
    graphNamingFor(
      card,
      `Croupier shuffler failure baseline ${options.modelVersion}: P(failure within ${options.horizonHours} h)`,
      { featureSetVersion: FEATURE_SET_VERSION, featureNames: FEATURE_NAMES.join(',') },
    ),
  );
  const { modelPath, cardPath } = await writeModelFiles(options.outDir, onnx, card);
  log(`wrote ${modelPath} (${onnx.length} bytes) and ${cardPath}`);
  return { modelPath, cardPath, card, model, holdout };
}
