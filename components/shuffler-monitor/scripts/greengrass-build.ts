/**
 * The custom build behind `gdk component build` for Croupier's Node.js components (gdk-config.json's
 * `custom_build_command` runs a component's `scripts/build.ts`, which calls this). GDK's custom build
 * contract: leave the recipe in `greengrass-build/recipes/` and the artifacts in
 * `greengrass-build/artifacts/<ComponentName>/<version>/`; `gdk component publish` uploads those and
 * fills in BUCKET_NAME, COMPONENT_NAME and COMPONENT_VERSION in the artifact URIs.
 *
 * The artifact is one zip: an esbuild bundle (`main.mjs`) plus, in `node_modules/`, only the packages that
 * cannot be bundled because they load native addons, with their dependencies, stripped of binaries for
 * other operating systems.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);

export interface ComponentBuild {
  /** Absolute path of the component folder (holds gdk-config.json and recipe.yaml). */
  readonly componentDir: string;
  /** Entry point, relative to the component folder; omit for an artifact-only component. */
  readonly entry?: string;
  /** Zip name without `.zip`; Greengrass unpacks it to `{artifacts:decompressedPath}/<artifactName>/`. */
  readonly artifactName: string;
  /** Packages left out of the bundle (native addons) and shipped in node_modules with their dependencies. */
  readonly externals: readonly string[];
  /** Extra files for the zip: absolute source → path inside the zip. */
  readonly files?: readonly { readonly from: string; readonly to: string }[];
}

export interface BuildResult {
  readonly componentName: string;
  readonly version: string;
  readonly zipPath: string;
  readonly recipePath: string;
  readonly stagingDir: string;
}

interface Recipe {
  ComponentVersion: string;
  Manifests?: { Lifecycle?: { Run?: { Setenv?: Record<string, string> } } }[];
}

const OTHER_PLATFORMS = /^(darwin|win32|android|freebsd|openbsd|sunos|aix)([-_+.].*)?$/;

/** Whether a file or folder of a shipped package is needed on a Linux core: binaries of other systems are not. */
async function keepOnLinux(path: string, relativePath: string): Promise<boolean> {
  const segments = relativePath.split(sep);
  const isFolder = (await stat(path)).isDirectory();
  const folders = isFolder ? segments : segments.slice(0, -1);
  if (folders.some((segment) => OTHER_PLATFORMS.test(segment))) return false;
  return isFolder || !/\.(d\.ts|d\.mts|map|md|markdown)$/.test(relativePath);
}

/**
 * The folder of package `name` as Node would find it from `from`: the nearest `node_modules/<name>` up the
 * tree. Walked by hand because `require.resolve('<name>/package.json')` fails for packages whose
 * `exports` hide their manifest.
 */
async function packageDir(name: string, from: string): Promise<string | undefined> {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (await stat(join(candidate, 'package.json')).catch(() => undefined)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Every package `names` need at run time, found the way Node would find them from `from`. */
async function closure(names: readonly string[], from: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visit = async (name: string, base: string) => {
    // Type declarations are compile-time only, even when a package lists them as dependencies.
    if (found.has(name) || name.startsWith('@types/')) return;
    const dir = await packageDir(name, base);
    // An optional dependency for another platform is not installed: nothing to ship.
    if (!dir) return;
    found.set(name, dir);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
      await visit(dep, dir);
  };
  for (const name of names) {
    await visit(name, from);
    if (!found.has(name)) throw new Error(`${name} is not installed`);
  }
  return found;
}

async function copyPackage(source: string, target: string): Promise<void> {
  await cp(source, target, {
    recursive: true,
    dereference: true,
    filter: (path) => keepOnLinux(path, relative(source, path)),
  });
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Builds one component into its `greengrass-build/` folder, as `gdk component build` expects. */
export async function buildComponent(
  spec: ComponentBuild,
  log: (line: string) => void = console.log,
): Promise<BuildResult> {
  const gdk = JSON.parse(await readFile(join(spec.componentDir, 'gdk-config.json'), 'utf8')) as {
    component: Record<string, { version: string }>;
  };
  const [componentName, settings] = Object.entries(gdk.component)[0]!;
  const version = settings.version;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`gdk-config.json version must be x.y.z, got "${version}"`);
  const out = join(spec.componentDir, 'greengrass-build');
  const staging = join(out, 'staging', spec.artifactName);
  const artifacts = join(out, 'artifacts', componentName, version);
  await rm(out, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await mkdir(artifacts, { recursive: true });
  await mkdir(join(out, 'recipes'), { recursive: true });

  if (spec.entry) {
    await build({
      entryPoints: [join(spec.componentDir, spec.entry)],
      outfile: join(staging, 'main.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      legalComments: 'external',
      external: spec.externals.flatMap((name) => [name, `${name}/*`]),
      // Bundled CommonJS calls require() for the native packages kept outside the bundle.
      banner: {
        js: "import { createRequire as __croupierRequire } from 'node:module'; const require = __croupierRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
    const packages = await closure(spec.externals, spec.componentDir);
    for (const [name, dir] of packages) await copyPackage(dir, join(staging, 'node_modules', name));
    log(`bundled ${spec.entry}; shipping ${packages.size} packages beside it: ${[...packages.keys()].join(', ')}`);
  }
  for (const file of spec.files ?? []) {
    await mkdir(dirname(join(staging, file.to)), { recursive: true });
    await cp(file.from, join(staging, file.to));
  }
  const zipPath = join(artifacts, `${spec.artifactName}.zip`);
  await run('zip', ['-q', '-r', '-X', zipPath, '.'], { cwd: staging });
  log(
    `${zipPath}: ${((await stat(zipPath)).size / 1e6).toFixed(1)} MB (unpacked ${((await directorySize(staging)) / 1e6).toFixed(1)} MB)`,
  );

  const recipe = parse(await readFile(join(spec.componentDir, 'recipe.yaml'), 'utf8')) as Recipe;
  recipe.ComponentVersion = version;
  for (const manifest of recipe.Manifests ?? []) {
    const env = manifest.Lifecycle?.Run?.Setenv;
    if (env && 'CROUPIER_COMPONENT_VERSION' in env) env.CROUPIER_COMPONENT_VERSION = version;
  }
  const recipePath = join(out, 'recipes', 'recipe.yaml');
  await writeFile(recipePath, stringify(recipe));
  return { componentName, version, zipPath, recipePath, stagingDir: staging };
}
