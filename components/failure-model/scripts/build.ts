/**
 * `gdk component build` for com.croupier.FailureModel (see gdk-config.json): places a model and its
 * card as the version's artifacts, and the recipe with that version. The model comes from
 * `FAILURE_MODEL_SOURCE` (a folder holding failure-model.onnx and model-card.json, e.g. the model loop's
 * /opt/ml/model); without it, the baseline is trained from simulated history first.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_CARD_FILE, MODEL_FILE, ModelCard } from '@croupier/failure-predictor';
import { parse, stringify } from 'yaml';
import { DEFAULT_BASELINE, trainBaseline } from '../src/train-baseline.js';

const componentDir = fileURLToPath(new URL('..', import.meta.url));
const gdk = JSON.parse(await readFile(join(componentDir, 'gdk-config.json'), 'utf8')) as {
  component: Record<string, { version: string }>;
};
const [componentName, { version }] = Object.entries(gdk.component)[0]!;
const out = join(componentDir, 'greengrass-build');
const artifacts = join(out, 'artifacts', componentName, version);
await rm(out, { recursive: true, force: true });
await mkdir(artifacts, { recursive: true });
await mkdir(join(out, 'recipes'), { recursive: true });

let source = process.env.FAILURE_MODEL_SOURCE;
if (!source) {
  source = join(out, 'baseline');
  await trainBaseline({ ...DEFAULT_BASELINE, outDir: source, modelVersion: version }, (line) => console.log(line));
}
// The card must follow the contract before the model ships anywhere.
const card = ModelCard.parse(JSON.parse(await readFile(join(source, MODEL_CARD_FILE), 'utf8')));
await cp(join(source, MODEL_FILE), join(artifacts, MODEL_FILE));
await cp(join(source, MODEL_CARD_FILE), join(artifacts, MODEL_CARD_FILE));

const recipe = parse(await readFile(join(componentDir, 'recipe.yaml'), 'utf8')) as Record<string, unknown>;
recipe.ComponentVersion = version;
await writeFile(join(out, 'recipes', 'recipe.yaml'), stringify(recipe));
console.log(`${componentName} ${version}: model ${card.modelVersion} (${card.featureSetVersion}) in ${artifacts}`);
