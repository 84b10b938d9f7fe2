import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { FEATURE_NAMES, FEATURE_SET_VERSION, type FeatureWindow } from './features.js';
import { MODEL_CARD_FILE, MODEL_INPUT, MODEL_OUTPUT, ModelCard } from './model-contract.js';

/** Raised when a model or its card does not follow the FailureModel contract. */
export class ModelContractError extends Error {
  override readonly name = 'ModelContractError';
}

/**
 * One loaded FailureModel: an onnxruntime session checked against the contract and the card beside it.
 * Loading refuses a model built for another feature set or window, so a mismatched model never runs.
 */
export class FailureModelSession {
  private constructor(
    private readonly session: InferenceSession,
    readonly card: ModelCard,
    readonly path: string,
  ) {}

  /** Loads `modelPath` and its card (`model-card.json` in the same directory unless given). */
  static async load(
    modelPath: string,
    window: FeatureWindow,
    cardPath = join(dirname(modelPath), MODEL_CARD_FILE),
  ): Promise<FailureModelSession> {
    let rawCard: unknown;
    try {
      rawCard = JSON.parse(await readFile(cardPath, 'utf8'));
    } catch (error) {
      throw new ModelContractError(`cannot read model card ${cardPath}: ${(error as Error).message}`);
    }
    const parsed = ModelCard.safeParse(rawCard);
    if (!parsed.success) throw new ModelContractError(`invalid model card ${cardPath}: ${parsed.error.message}`);
    const card = parsed.data;
    if (card.featureSetVersion !== FEATURE_SET_VERSION || card.featureNames.join(',') !== FEATURE_NAMES.join(',')) {
      throw new ModelContractError(
        `model ${card.modelVersion} was built for ${card.featureSetVersion} [${card.featureNames.join(', ')}]; this predictor computes ${FEATURE_SET_VERSION} [${FEATURE_NAMES.join(', ')}]`,
      );
    }
    if (card.window.durationMs !== window.durationMs || card.window.minReadings !== window.minReadings) {
      throw new ModelContractError(`model ${card.modelVersion} expects window ${JSON.stringify(card.window)}`);
    }
    const session = await InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    if (!session.inputNames.includes(MODEL_INPUT) || !session.outputNames.includes(MODEL_OUTPUT)) {
      await session.release();
      throw new ModelContractError(
        `model ${modelPath} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; expected ${MODEL_INPUT} → ${MODEL_OUTPUT}`,
      );
    }
    return new FailureModelSession(session, card, modelPath);
  }

  get version(): string {
    return this.card.modelVersion;
  }

  get horizonHours(): number {
    return this.card.horizonHours;
  }

  /** Failure probabilities for a batch of feature vectors, in order. */
  async predict(batch: readonly (readonly number[])[]): Promise<number[]> {
    const width = FEATURE_NAMES.length;
    const data = new Float32Array(batch.length * width);
    batch.forEach((row, i) => {
      if (row.length !== width)
        throw new ModelContractError(`feature vector of length ${row.length}, expected ${width}`);
      data.set(row, i * width);
    });
    const result = await this.session.run({ [MODEL_INPUT]: new Tensor('float32', data, [batch.length, width]) });
    const output = result[MODEL_OUTPUT];
    if (!output || output.data.length !== batch.length) {
      throw new ModelContractError(
        `model output ${MODEL_OUTPUT} has ${output?.data.length ?? 0} values for ${batch.length} rows`,
      );
    }
    return Array.from(output.data as Float32Array, (p) => Math.min(1, Math.max(0, p)));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
