import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Logger } from '../logger.js';
import { deepMerge } from './deep-merge.js';

/** The parts of a Greengrass recipe the local floor reads. */
export interface RecipeSummary {
  readonly componentName: string;
  readonly componentVersion: string;
  readonly defaultConfiguration: unknown;
}

/** Reads a recipe (YAML or JSON, as GDK accepts both). */
export async function readRecipe(path: string): Promise<RecipeSummary> {
  const doc = parseYaml(await readFile(path, 'utf8')) as Record<string, unknown> | null;
  const name = doc?.ComponentName;
  const version = doc?.ComponentVersion;
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`${path} is not a Greengrass recipe: ComponentName and ComponentVersion are required`);
  }
  const config = doc?.ComponentConfiguration as { DefaultConfiguration?: unknown } | undefined;
  return { componentName: name, componentVersion: version, defaultConfiguration: config?.DefaultConfiguration ?? {} };
}

/**
 * Configuration on the local floor, resolved as a Greengrass deployment would: the recipe's
 * DefaultConfiguration with the deployment's configuration file merged over it. The file is watched;
 * each change yields the merged result. A file that is not valid JSON is reported and ignored, so the
 * running configuration stays.
 */
export class LocalConfigurationSource {
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly defaults: unknown,
    private readonly overridesPath: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** The merged configuration; throws if the overrides file exists but is not valid JSON. */
  async read(): Promise<unknown> {
    if (!this.overridesPath) return this.defaults;
    let text: string;
    try {
      text = await readFile(this.overridesPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.defaults;
      throw e;
    }
    let overrides: unknown;
    try {
      overrides = JSON.parse(text);
    } catch (e) {
      throw new Error(`${this.overridesPath} is not valid JSON: ${(e as Error).message}`);
    }
    return deepMerge(this.defaults, overrides);
  }

  /** Calls `listener` with the merged configuration after each change of the overrides file. */
  watch(listener: (configuration: unknown) => void, debounceMs = 100): void {
    const path = this.overridesPath;
    if (!path || this.#watcher) return;
    // The directory is watched, not the file: editors and deployers replace files by rename.
    this.#watcher = watch(dirname(path), (_event, file) => {
      if (file !== null && file !== basename(path)) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.read().then(listener, (e) =>
          this.logger.error('configuration file rejected; keeping the running configuration', { error: e }),
        );
      }, debounceMs);
    });
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
