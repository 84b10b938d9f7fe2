import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_BASELINE, trainBaseline } from '@croupier/failure-model';

const MODEL_FILES = ['failure-model.onnx', 'model-card.json'] as const;
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The FailureModel component's artifacts on the local floor: the baseline model, trained once on
 * first start into `dir` and reused afterwards. Training writes to a sibling folder that is renamed
 * into place, so an interrupted first start never leaves half a model behind.
 */
export async function ensureFailureModel(dir: string, log: (line: string) => void): Promise<{ trained: boolean }> {
  const present = await Promise.all(MODEL_FILES.map((file) => exists(join(dir, file))));
  if (present.every(Boolean)) return { trained: false };
  const staging = `${dir}.training`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  await trainBaseline({ ...DEFAULT_BASELINE, outDir: staging }, log);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return { trained: true };
}
