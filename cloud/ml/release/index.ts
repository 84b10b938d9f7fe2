/**
 * @packageDocumentation
 * Release of a trained failure model as a new com.croupier.FailureModel component version: check it
 * against the FailureModel contract ({@link packageModel}), then register and deploy it to the model
 * thing group ({@link releaseFailureModel}), once per model however often it is retried.
 * `release-handler.ts` is the same as a Lambda step for the training state machine. The local floor's counterpart is `scripts/start/local-deployments.ts`.
 */
export {
  newestComponentVersion,
  nextComponentVersion,
  parseVersion,
  type SemanticVersion,
} from './component-version.js';
export { currentDeployment, deploysVersion, recipeCarriesModel } from './earlier-release.js';
export {
  artifactKey,
  FAILURE_MODEL_COMPONENT,
  RecipeTemplateError,
  renderFailureModelRecipe,
} from './failure-model-recipe.js';
export {
  coreModelPath,
  type ReleaseDependencies,
  ReleaseError,
  type ReleaseResult,
  releaseFailureModel,
} from './greengrass-release.js';
export { readModelFolder } from './model-folder.js';
export {
  type ModelFiles,
  type ModelPackage,
  ModelPackageError,
  type PackagedArtifact,
  packageModel,
} from './model-package.js';
export { ReleaseTarget, type ReleaseTargetInput } from './release-target.js';
