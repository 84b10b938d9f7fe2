import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { lakeObjectName } from '@croupier/contracts';
import type { PartitionBatch } from './delivery-buffer.js';

const gzipAsync = promisify(gzip);

/**
 * Writes delivered batches as gzip JSON-lines objects into the lake folder, with the production
 * layout and object names. Each object is written under a temporary name and renamed, so a query
 * never reads half an object (S3 PUT is atomic too).
 */
export class LakeWriter {
  private seq = 0;
  private readonly writer: string;

  /**
   * @param name the delivery stream's name; a per-instance suffix keeps object names unique across
   * restarts, so a re-delivery after a crash adds an object instead of overwriting one.
   */
  constructor(
    private readonly lakeRoot: string,
    name: string,
  ) {
    this.writer = `${name}-${randomUUID().slice(0, 8)}`;
  }

  /** Writes every batch; returns the object keys written, relative to the lake root. */
  async write(batches: readonly PartitionBatch[]): Promise<string[]> {
    const keys: string[] = [];
    for (const batch of batches) {
      this.seq += 1;
      const key = `${batch.partition}/${lakeObjectName(this.writer, batch.firstEventTime, this.seq, 'jsonl.gz')}`;
      const path = join(this.lakeRoot, key);
      await mkdir(join(this.lakeRoot, batch.partition), { recursive: true });
      const body = await gzipAsync(Buffer.from(`${batch.lines.join('\n')}\n`, 'utf8'));
      await writeFile(`${path}.tmp`, body);
      await rename(`${path}.tmp`, path);
      keys.push(key);
    }
    return keys;
  }
}
