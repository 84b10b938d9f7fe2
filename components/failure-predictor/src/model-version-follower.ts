import { type FSWatcher, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_CARD_FILE, MODEL_FILE } from './model-contract.js';
import { chooseModelVersion, parseModelVersion, type VersionFolder } from './model-versions.js';

/** Options of {@link ModelVersionFollower.start}. */
export interface ModelVersionFollowerOptions {
  /** The FailureModel artifacts root: one folder per component version. */
  readonly root: string;
  /** The version running now, when the running model came from a version folder of `root`. */
  readonly running: string | undefined;
  /**
   * Loads the version in `dir` and switches to it; resolves false when the model is refused (the
   * caller has logged why and kept the running model).
   */
  readonly tryVersion: (version: string, dir: string) => Promise<boolean>;
  /** Quiet time after a change before a folder is looked at, and between the two looks that show it settled. */
  readonly debounceMs: number;
  /** Full rescan period: the fallback for filesystems where fs.watch misses events. */
  readonly rescanMs: number;
  readonly onError: (error: unknown) => void;
}

async function signatureOf(dir: string): Promise<string | undefined> {
  try {
    const files = await Promise.all([stat(join(dir, MODEL_FILE)), stat(join(dir, MODEL_CARD_FILE))]);
    if (!files.every((f) => f.isFile())) return undefined;
    return files.map((f) => `${f.size}:${f.mtimeMs}`).join('|');
  } catch {
    return undefined;
  }
}

/**
 * Follows the FailureModel versions Greengrass places under the artifacts root: when a newer version
 * folder holds both files and they stopped changing, it is handed to `tryVersion`. A refused version is
 * not retried until its files change; a version still being written is looked at again on its next
 * change. Change events come from fs.watch on the root and on each version folder, and a periodic
 * rescan covers filesystems where those events never arrive.
 */
export class ModelVersionFollower {
  private running: string | undefined;
  private readonly refused = new Map<string, string>();
  /** The signature each version had at the previous look: a candidate is tried once it is unchanged. */
  private readonly lastSeen = new Map<string, string>();
  private readonly watchers = new Map<string, FSWatcher>();
  private debounce: NodeJS.Timeout | undefined;
  private readonly rescan: NodeJS.Timeout;
  private scanning: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(private readonly options: ModelVersionFollowerOptions) {
    this.running = options.running;
    this.rescan = setInterval(() => this.schedule(0), options.rescanMs);
    this.rescan.unref();
  }

  /** Starts following and looks at the root at once. */
  static start(options: ModelVersionFollowerOptions): ModelVersionFollower {
    const follower = new ModelVersionFollower(options);
    follower.schedule(0);
    return follower;
  }

  /** The version running now, as far as the follower switched. */
  get runningVersion(): string | undefined {
    return this.running;
  }

  /** Versions refused so far (and not changed since). */
  get refusedCount(): number {
    return this.refused.size;
  }

  /** Stops watching; a look in progress finishes first. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.debounce);
    clearInterval(this.rescan);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.scanning;
  }

  private schedule(delayMs = this.options.debounceMs): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.scanning = this.scanning.then(() => this.scan()).catch(this.options.onError);
    }, delayMs);
    this.debounce.unref();
  }

  private watch(path: string): void {
    if (this.watchers.has(path)) return;
    try {
      const watcher = watch(path, () => this.schedule());
      watcher.on('error', () => {
        // The folder went away (a version cleaned up); the rescan watches what replaces it.
        watcher.close();
        this.watchers.delete(path);
      });
      this.watchers.set(path, watcher);
    } catch {
      // Not there yet, or the filesystem cannot watch: the periodic rescan covers it.
    }
  }

  private async list(): Promise<VersionFolder[]> {
    const { root } = this.options;
    this.watch(root);
    const entries = await readdir(root, { withFileTypes: true }).catch(() => {
      // Gone or not there yet: a watcher on a removed folder hears nothing, so watch it anew once it exists.
      this.watchers.get(root)?.close();
      this.watchers.delete(root);
      return [];
    });
    const folders = entries.filter((e) => e.isDirectory() && parseModelVersion(e.name));
    const present = new Set(folders.map((e) => join(root, e.name)));
    for (const [path, watcher] of this.watchers) {
      if (path !== root && !present.has(path)) {
        watcher.close();
        this.watchers.delete(path);
      }
    }
    return Promise.all(
      folders.map(async (e) => {
        const dir = join(root, e.name);
        this.watch(dir);
        return { name: e.name, signature: await signatureOf(dir) };
      }),
    );
  }

  private async scan(): Promise<void> {
    while (!this.closed) {
      const listing = await this.list();
      const choice = chooseModelVersion(listing, { running: this.running, refused: this.refused });
      if (choice === undefined) return;
      const signature = listing.find((f) => f.name === choice)?.signature as string;
      if (this.lastSeen.get(choice) !== signature) {
        // First sight of these files, or they changed since: look again once they have been quiet.
        this.lastSeen.set(choice, signature);
        this.schedule();
        return;
      }
      if (await this.options.tryVersion(choice, join(this.options.root, choice))) {
        this.running = choice;
        this.refused.delete(choice);
      } else {
        this.refused.set(choice, signature);
      }
    }
  }
}
