/**
 * @packageDocumentation
 * com.croupier.FailurePredictor, and THE feature definition of the failure model (`features.ts`), which
 * the model loop's training code imports from here so training and serving compute identical features.
 */
export { COMPONENT_NAME, startFailurePredictor } from './component.js';
export { PredictorConfig, resolveModelPath, startedModelDir } from './config.js';
export { FailureModelSession, ModelContractError } from './failure-model-session.js';
export {
  type FailureModel,
  FailurePredictor,
  type PredictorSettings,
  type PredictorSink,
  type PredictorStats,
} from './failure-predictor.js';
export {
  computeFeatures,
  deviceHoursAxis,
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  FEATURE_WINDOW,
  FEATURES,
  type FeatureSpec,
  type FeatureWindow,
  RATED_BY_GAME,
  SlidingWindow,
  toWindowReading,
  type WindowReading,
} from './features.js';
export { type AlertState, type HysteresisPolicy, INITIAL_ALERT_STATE, stepAlert } from './hysteresis.js';
export {
  MAX_OPSET,
  MODEL_CARD_FILE,
  MODEL_FILE,
  MODEL_INPUT,
  MODEL_OUTPUT,
  ModelCard,
} from './model-contract.js';
export { ModelVersionFollower, type ModelVersionFollowerOptions } from './model-version-follower.js';
export {
  chooseModelVersion,
  compareModelVersions,
  parseModelVersion,
  type SelectionState,
  type VersionFolder,
} from './model-versions.js';
