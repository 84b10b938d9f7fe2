/**
 * Bundles the image's two entrypoints into self-contained ESM files for the training image:
 *
 *   npx tsx cloud/ml/training/bundle.ts <out dir>      → <out dir>/train.mjs, <out dir>/dataset.mjs
 *
 * `train.mjs` is the training job (`main.ts`); `dataset.mjs` is the dataset builder (`../dataset/cli.ts`),
 * which the pipeline's processing job runs in the same image. DuckDB, the builder's lake reader, is a
 * native module and stays external: the image installs it beside the bundles.
 *
 * The job needs only FailurePredictor's feature definition, alert hysteresis and model contract, and
 * FailureModel's ONNX writer, not the edge runtime behind their package entry points (onnxruntime, the
 * AWS IoT SDK and their native binaries). Those two packages are therefore resolved to just the modules
 * the job uses; the build fails if the job ever imports anything else from them.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const predictorSrc = join(repositoryRoot, 'components', 'failure-predictor', 'src');
const modelSrc = join(repositoryRoot, 'components', 'failure-model', 'src');

const SUBSETS: Readonly<Record<string, string>> = {
  '@croupier/failure-predictor': [
    `export * from ${JSON.stringify(join(predictorSrc, 'features.ts'))};`,
    `export * from ${JSON.stringify(join(predictorSrc, 'hysteresis.ts'))};`,
    `export * from ${JSON.stringify(join(predictorSrc, 'model-contract.ts'))};`,
    `export { PredictorConfig } from ${JSON.stringify(join(predictorSrc, 'config.ts'))};`,
  ].join('\n'),
  '@croupier/failure-model': [
    `export * from ${JSON.stringify(join(modelSrc, 'mlp-onnx.ts'))};`,
    `export * from ${JSON.stringify(join(modelSrc, 'linear-model-onnx.ts'))};`,
  ].join('\n'),
};

const edgeSubsets: Plugin = {
  name: 'croupier-edge-subsets',
  setup(b) {
    b.onResolve({ filter: /^@croupier\/failure-(predictor|model)$/ }, (args) => ({
      path: args.path,
      namespace: 'subset',
    }));
    b.onLoad({ filter: /.*/, namespace: 'subset' }, (args) => ({
      contents: SUBSETS[args.path],
      loader: 'ts',
      resolveDir: repositoryRoot,
    }));
  },
};

const outDir = resolve(process.argv[2] ?? join(repositoryRoot, 'cloud', 'ml', 'training', 'dist'));
await mkdir(outDir, { recursive: true });
await build({
  entryPoints: {
    train: join(repositoryRoot, 'cloud', 'ml', 'training', 'main.ts'),
    dataset: join(repositoryRoot, 'cloud', 'ml', 'dataset', 'cli.ts'),
  },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  external: ['@duckdb/node-api'],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // TensorFlow.js registers its CPU kernels as a side effect of its ES module entry, not its CommonJS one.
  mainFields: ['module', 'main'],
  // Some bundled dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  plugins: [edgeSubsets],
  logLevel: 'warning',
});
for (const file of ['train.mjs', 'dataset.mjs']) console.log(join(outDir, file));
