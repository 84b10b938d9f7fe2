import { createHash } from 'node:crypto';
import { FEATURE_NAMES, FEATURE_SET_VERSION, FEATURE_WINDOW } from '@croupier/failure-predictor/features';
import { MODEL_CARD_FILE, MODEL_FILE, ModelCard } from '@croupier/failure-predictor/model-contract';

/** The two files of a trained model, as the training job writes them to `/opt/ml/model`. */
export interface ModelFiles {
  readonly model: Uint8Array;
  readonly card: Uint8Array;
}

/** One artifact of a FailureModel version, with the digests Greengrass and S3 check it by. */
export interface PackagedArtifact {
  /** File name inside the component's artifact folder. */
  readonly name: typeof MODEL_FILE | typeof MODEL_CARD_FILE;
  readonly bytes: Uint8Array;
  /** SHA-256, hex: what the local floor records and compares. */
  readonly sha256Hex: string;
  /** SHA-256, base64: the encoding of a recipe's artifact `Digest` and of S3's `ChecksumSHA256`. */
  readonly sha256Base64: string;
}

/** A model checked against the FailureModel contract, ready to ship as a component version. */
export interface ModelPackage {
  readonly card: ModelCard;
  /** The model first, then its card: the order of the recipe's artifacts. */
  readonly artifacts: readonly [PackagedArtifact, PackagedArtifact];
}

/** Raised when a model folder does not follow the FailureModel contract; nothing is shipped. */
export class ModelPackageError extends Error {
  override readonly name = 'ModelPackageError';
}

/** Larger than any model this contract allows (a linear model is a few hundred bytes). */
export const MAX_MODEL_BYTES = 64 * 1024 * 1024;

function artifact(name: PackagedArtifact['name'], bytes: Uint8Array): PackagedArtifact {
  const digest = createHash('sha256').update(bytes).digest();
  return { name, bytes, sha256Hex: digest.toString('hex'), sha256Base64: digest.toString('base64') };
}

/**
 * Checks a trained model against the FailureModel contract before it ships anywhere: the card parses
 * as a {@link ModelCard}, names the feature set, feature order and window FailurePredictor computes,
 * and declares an input as wide as that feature set; the model file is present and of sane size. The
 * predictor checks the same on load, so a model refused here would be refused on every core anyway;
 * refusing it here keeps it out of the fleet's component versions. Loading the ONNX graph itself is
 * left to the evaluation gate and the predictor (onnxruntime is not a cloud dependency).
 */
export function packageModel(files: ModelFiles): ModelPackage {
  if (files.model.byteLength === 0) throw new ModelPackageError(`${MODEL_FILE} is empty`);
  if (files.model.byteLength > MAX_MODEL_BYTES) {
    throw new ModelPackageError(`${MODEL_FILE} is ${files.model.byteLength} bytes; at most ${MAX_MODEL_BYTES}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(files.card).toString('utf8'));
  } catch (error) {
    throw new ModelPackageError(`${MODEL_CARD_FILE} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ModelCard.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new ModelPackageError(`${MODEL_CARD_FILE} breaks the ModelCard contract: ${issues.join('; ')}`);
  }
  const card = parsed.data;
  if (card.featureSetVersion !== FEATURE_SET_VERSION || card.featureNames.join(',') !== FEATURE_NAMES.join(',')) {
    throw new ModelPackageError(
      `model ${card.modelVersion} was built for ${card.featureSetVersion} [${card.featureNames.join(', ')}]; FailurePredictor computes ${FEATURE_SET_VERSION} [${FEATURE_NAMES.join(', ')}]`,
    );
  }
  if (card.window.durationMs !== FEATURE_WINDOW.durationMs || card.window.minReadings !== FEATURE_WINDOW.minReadings) {
    throw new ModelPackageError(
      `model ${card.modelVersion} expects window ${JSON.stringify(card.window)}; FailurePredictor uses ${JSON.stringify({ durationMs: FEATURE_WINDOW.durationMs, minReadings: FEATURE_WINDOW.minReadings })}`,
    );
  }
  if (card.input.shape[1] !== FEATURE_NAMES.length) {
    throw new ModelPackageError(
      `model ${card.modelVersion} takes ${card.input.shape[1]} features; the feature set has ${FEATURE_NAMES.length}`,
    );
  }
  return { card, artifacts: [artifact(MODEL_FILE, files.model), artifact(MODEL_CARD_FILE, files.card)] };
}
