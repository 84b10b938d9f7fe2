import { join } from 'node:path';

/**
 * The SageMaker training-job directory contract under one root (`/opt/ml` in the container, any folder
 * when run locally): channels in, hyperparameters in, model out, failure reason out.
 */
export interface SageMakerLayout {
  readonly root: string;
  readonly channel: (name: string) => string;
  readonly hyperparameters: string;
  readonly model: string;
  readonly failure: string;
}

export const DEFAULT_SAGEMAKER_ROOT = '/opt/ml';

export function sageMakerLayout(root: string = DEFAULT_SAGEMAKER_ROOT): SageMakerLayout {
  return {
    root,
    channel: (name) => join(root, 'input', 'data', name),
    hyperparameters: join(root, 'input', 'config', 'hyperparameters.json'),
    model: join(root, 'model'),
    failure: join(root, 'output', 'failure'),
  };
}
