import '@tensorflow/tfjs-backend-cpu';
import type { MlpModel } from '@croupier/failure-model';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** How to fit the perceptron. */
export interface MlpFitOptions {
  readonly hiddenUnits: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly positiveWeight: number;
  readonly seed: number;
}

/** Progress after each epoch. */
export interface EpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
}

/** Mean and standard deviation per feature, from the training rows. */
export interface Standardisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** A deterministic stream of numbers in [0, 1) (mulberry32): the training job's only randomness. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function standardisation(x: readonly (readonly number[])[]): Standardisation {
  const width = x[0]?.length ?? 0;
  const mean = Array.from({ length: width }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  const std = mean.map((m, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / x.length) || 1);
  return { mean, std };
}

/**
 * Folds a standardisation into the first layer, so the model takes raw features as the ONNX graph
 * (and the edge) give them: W'ᵢₕ = Wᵢₕ / σᵢ, b'ₕ = bₕ − Σᵢ μᵢ Wᵢₕ / σᵢ.
 */
export function foldStandardisation(model: MlpModel, scale: Standardisation): MlpModel {
  const hiddenWeights = model.hiddenWeights.map((row, i) => row.map((w) => w / scale.std[i]!));
  const hiddenBias = model.hiddenBias.map(
    (b, h) => b - hiddenWeights.reduce((s, row, i) => s + scale.mean[i]! * row[h]!, 0),
  );
  return { ...model, hiddenWeights, hiddenBias };
}

/**
 * Fits a one-hidden-layer perceptron (ReLU, sigmoid output) with TensorFlow.js layers on the CPU
 * backend (pure JavaScript: no native binaries), weighted binary cross-entropy, Adam and L2. Inputs are
 * standardised for the fit and the standardisation folded back into the returned weights. Rows are
 * shuffled by a seeded stream and weights initialised from the seed, so a run is reproducible.
 */
export async function fitMlp(
  x: readonly (readonly number[])[],
  y: readonly (0 | 1)[],
  options: MlpFitOptions,
  onEpoch: (progress: EpochProgress) => void = () => {},
): Promise<MlpModel> {
  if (x.length === 0) throw new Error('no training rows');
  await tf.setBackend('cpu');
  const width = x[0]!.length;
  const scale = standardisation(x);
  const random = seededRandom(options.seed);
  const order = x.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const xs = new Float32Array(x.length * width);
  const ys = new Float32Array(x.length);
  order.forEach((row, i) => {
    for (let j = 0; j < width; j += 1) xs[i * width + j] = (x[row]![j]! - scale.mean[j]!) / scale.std[j]!;
    ys[i] = y[row]!;
  });
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [width],
        units: options.hiddenUnits,
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: options.seed }),
        kernelRegularizer: tfl.regularizers.l2({ l2: options.l2 }),
      }),
      tfl.layers.dense({
        units: 1,
        activation: 'sigmoid',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: options.seed + 1 }),
        kernelRegularizer: tfl.regularizers.l2({ l2: options.l2 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(options.learningRate), loss: 'binaryCrossentropy' });
  const xt = tf.tensor2d(xs, [x.length, width]);
  const yt = tf.tensor2d(ys, [x.length, 1]);
  try {
    await model.fit(xt, yt, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      shuffle: false,
      verbose: 0,
      classWeight: { 0: 1, 1: options.positiveWeight },
      callbacks: {
        onEpochEnd: async (epoch, logs) =>
          onEpoch({ epoch: epoch + 1, epochs: options.epochs, loss: logs?.loss ?? NaN }),
      },
    });
    const [kernel1, bias1, kernel2, bias2] = model.getWeights().map((w) => w.arraySync());
    return foldStandardisation(
      {
        hiddenWeights: kernel1 as number[][],
        hiddenBias: bias1 as number[],
        outputWeights: (kernel2 as number[][]).map((r) => r[0]!),
        outputBias: (bias2 as number[])[0]!,
      },
      scale,
    );
  } finally {
    xt.dispose();
    yt.dispose();
    model.dispose();
  }
}
