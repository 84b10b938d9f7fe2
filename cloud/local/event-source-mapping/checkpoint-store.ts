import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * Per-shard checkpoints of one event source mapping: the sequence number of the last record that
 * is done (processed or discarded). Lambda keeps these across restarts; so does the file store.
 */
export interface CheckpointStore {
  load(): Promise<ReadonlyMap<string, string>>;
  save(shardId: string, sequenceNumber: string): Promise<void>;
}

/** Checkpoints held in memory: a restart starts again from the starting position. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly checkpoints = new Map<string, string>();

  async load(): Promise<ReadonlyMap<string, string>> {
    return new Map(this.checkpoints);
  }

  async save(shardId: string, sequenceNumber: string): Promise<void> {
    this.checkpoints.set(shardId, sequenceNumber);
  }
}

const checkpointFileSchema = z.record(z.string(), z.string().regex(/^\d+$/));

/** Checkpoints in one JSON file, rewritten atomically on every save. */
export class FileCheckpointStore implements CheckpointStore {
  private checkpoints: Map<string, string> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async load(): Promise<ReadonlyMap<string, string>> {
    if (!this.checkpoints) {
      let text: string | undefined;
      try {
        text = await readFile(this.path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const parsed = text === undefined ? {} : checkpointFileSchema.parse(JSON.parse(text));
      this.checkpoints = new Map(Object.entries(parsed));
    }
    return new Map(this.checkpoints);
  }

  async save(shardId: string, sequenceNumber: string): Promise<void> {
    if (!this.checkpoints) await this.load();
    this.checkpoints!.set(shardId, sequenceNumber);
    const snapshot = JSON.stringify(Object.fromEntries(this.checkpoints!), null, 2);
    // Saves from several shards are serialised so an older snapshot never overwrites a newer one.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(`${this.path}.tmp`, snapshot);
      await rename(`${this.path}.tmp`, this.path);
    });
    await this.writing;
  }
}
