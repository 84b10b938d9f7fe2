import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { readRecipe } from '../configuration/local-configuration-source.js';

/** A native addon shipped beside the bundle as its own artifact, one file per platform. */
export interface NativeArtifact {
  /** Artifact file name in the recipe, e.g. `aws-crt-linux-x64-glibc.node`. */
  readonly artifact: string;
  /** Path of the addon, resolved from the component folder. */
  readonly source: string;
}

export interface BuildComponentOptions {
  /** The component folder (holds recipe.yaml and src/). */
  readonly componentDirectory: string;
  /** Entry point relative to the component folder. */
  readonly entry?: string;
  /** Where to write `recipes/` and `artifacts/`; GDK expects `<component>/greengrass-build`. */
  readonly outDirectory?: string;
  /** Native addons to ship. */
  readonly native?: readonly NativeArtifact[];
}

export interface BuildResult {
  readonly componentName: string;
  readonly componentVersion: string;
  readonly artifactDirectory: string;
  readonly recipePath: string;
  readonly bundlePath: string;
  readonly bundleBytes: number;
}

/**
 * The AWS CRT addon of aws-iot-device-sdk-v2 for the Linux platforms a floor core runs on (glibc).
 * The SDK's JavaScript is bundled; only this binary ships beside it, and the recipe points the CRT at
 * it with `AWS_CRT_NODEJS_BINARY_ABSOLUTE_PATH`.
 */
export function awsCrtNativeArtifacts(): NativeArtifact[] {
  const require = createRequire(import.meta.url);
  const crtRoot = dirname(require.resolve('aws-crt/package.json'));
  return ['linux-x64-glibc', 'linux-arm64-glibc'].map((platform) => ({
    artifact: `aws-crt-${platform}.node`,
    source: join(crtRoot, 'dist', 'bin', platform, 'aws-crt-nodejs.node'),
  }));
}

// ESM output: give bundled CommonJS code (the CRT, the SDK) the `require` and `__dirname` it expects.
const BANNER = [
  "import { createRequire as __croupierCreateRequire } from 'node:module';",
  "import { dirname as __croupierDirname } from 'node:path';",
  "import { fileURLToPath as __croupierFileURLToPath } from 'node:url';",
  'const require = __croupierCreateRequire(import.meta.url);',
  'const __filename = __croupierFileURLToPath(import.meta.url);',
  'const __dirname = __croupierDirname(__filename);',
].join('\n');

/**
 * Builds a component the way `gdk component build` with a `custom` build system expects: one ESM
 * bundle (`main.mjs`, esbuild, Node 20 target) plus the native addons as separate artifacts under
 * `greengrass-build/artifacts/<name>/<version>/`, and the recipe under `greengrass-build/recipes/`.
 */
export async function buildComponent(options: BuildComponentOptions): Promise<BuildResult> {
  const { componentDirectory } = options;
  const recipeSource = join(componentDirectory, 'recipe.yaml');
  const recipe = await readRecipe(recipeSource);
  const out = options.outDirectory ?? join(componentDirectory, 'greengrass-build');
  const artifactDirectory = join(out, 'artifacts', recipe.componentName, recipe.componentVersion);
  await rm(out, { recursive: true, force: true });
  await mkdir(artifactDirectory, { recursive: true });
  await mkdir(join(out, 'recipes'), { recursive: true });
  const bundlePath = join(artifactDirectory, 'main.mjs');
  await build({
    entryPoints: [join(componentDirectory, options.entry ?? 'src/main.ts')],
    outfile: bundlePath,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: BANNER },
    sourcemap: 'linked',
    minify: false,
    legalComments: 'linked',
    logLevel: 'warning',
    // Browser-only fallbacks of the CRT are never used on a core.
    external: ['bufferutil', 'utf-8-validate'],
  });
  for (const native of options.native ?? []) await copyFile(native.source, join(artifactDirectory, native.artifact));
  const recipePath = join(out, 'recipes', 'recipe.yaml');
  await writeFile(recipePath, await readFile(recipeSource));
  const bundleBytes = (await readFile(bundlePath)).byteLength;
  return {
    componentName: recipe.componentName,
    componentVersion: recipe.componentVersion,
    artifactDirectory,
    recipePath,
    bundlePath,
    bundleBytes,
  };
}
