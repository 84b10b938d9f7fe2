import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_BASELINE, trainBaseline } from '@croupier/failure-model';
import { FEATURE_SET_VERSION } from '@croupier/failure-predictor';

const MODEL_FILES = ['failure-model.onnx', 'model-card.json'] as const;
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Whether the model in `dir` was built for the feature set this FailurePredictor computes. */
async function fitsPredictor(dir: string): Promise<boolean> {
  const card = JSON.parse(await readFile(join(dir, 'model-card.json'), 'utf8')) as { featureSetVersion?: unknown };
  return card.featureSetVersion === FEATURE_SET_VERSION;
}

/**
 * The FailureModel component's artifacts on the local floor: the baseline model, trained on first
 * start into `dir` and reused afterwards while its feature set matches the predictor's (a state folder
 * from an older version gets a fresh model). Training writes to a sibling folder that is renamed into
 * place, so an interrupted start never leaves half a model behind.
 */
export async function ensureFailureModel(dir: string, log: (line: string) => void): Promise<{ trained: boolean }> {
  const present = await Promise.all(MODEL_FILES.map((file) => exists(join(dir, file))));
  if (present.every(Boolean) && (await fitsPredictor(dir))) return { trained: false };
  const staging = `${dir}.training`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  await trainBaseline({ ...DEFAULT_BASELINE, outDir: staging }, log);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return { trained: true };
}
