/**
 * The training image's entrypoint (SageMaker runs the container with the argument `train`):
 *
 *   node --import tsx cloud/ml/training/main.ts [train] [--root /opt/ml]
 *
 * Locally, `--root` points at any folder with the same layout (`input/data/<channel>`,
 * `input/config/hyperparameters.json`; the model goes to `model/`). On failure the reason goes to
 * `output/failure`, where SageMaker reports it as the job's FailureReason, and the exit code is 1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SAGEMAKER_ROOT, sageMakerLayout } from './sagemaker-layout.js';
import { runTrainingJob } from './training-job.js';

const { values } = parseArgs({
  options: { root: { type: 'string', default: DEFAULT_SAGEMAKER_ROOT } },
  allowPositionals: true,
  strict: true,
});
const layout = sageMakerLayout(resolve(values.root));
try {
  await runTrainingJob(layout, (line) => console.log(line));
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`training failed: ${reason}`);
  await mkdir(dirname(layout.failure), { recursive: true });
  // SageMaker keeps the first 1024 characters of the failure file as the job's FailureReason.
  await writeFile(layout.failure, reason.slice(0, 1024));
  process.exitCode = 1;
}
