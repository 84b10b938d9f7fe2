import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { lakeObjectName, lakePartition } from '@croupier/contracts';

/** gzip header bytes 4-7 hold the mtime and byte 9 the OS; both are pinned so output is byte-identical. */
const GZIP_MTIME_OFFSET = 4;
const GZIP_OS_OFFSET = 9;
const GZIP_OS_UNIX = 3;

/** Gzip with a fixed header: mtime 0 (RFC 1952: "no time stamp") and OS "Unix" on every platform. */
export function deterministicGzip(data: Buffer): Buffer {
  const out = gzipSync(data, { level: 6 });
  out.writeUInt32LE(0, GZIP_MTIME_OFFSET);
  out[GZIP_OS_OFFSET] = GZIP_OS_UNIX;
  return out;
}

export interface SlotLakeWriterOptions {
  readonly outDir: string;
  /** Object-name prefix, like a Firehose delivery stream's. */
  readonly writer: string;
  readonly maxEventsPerFile: number;
}

/**
 * Writes events, given in eventTime order, into `raw/slot/dt=…/hr=…/` as gzip JSON lines: one object
 * per hour partition, split when it reaches `maxEventsPerFile`. Object names carry a sequence number
 * that counts up over the whole run, so they are unique and sort in write order.
 */
export class SlotLakeWriter {
  readonly files: string[] = [];
  readonly #opts: SlotLakeWriterOptions;
  #lines: string[] = [];
  #partition = '';
  #firstEventTime = 0;
  #seq = 0;

  constructor(opts: SlotLakeWriterOptions) {
    this.#opts = opts;
  }

  /** Adds one line (an event, already serialised) with its eventTime. */
  async add(line: string, eventTimeMs: number): Promise<void> {
    const partition = lakePartition('raw', 'slot', eventTimeMs);
    if (partition !== this.#partition || this.#lines.length >= this.#opts.maxEventsPerFile) {
      await this.flush();
      this.#partition = partition;
      this.#firstEventTime = eventTimeMs;
    }
    this.#lines.push(line);
  }

  /** Writes what is buffered as one object. */
  async flush(): Promise<void> {
    if (this.#lines.length === 0) return;
    const dir = join(this.#opts.outDir, this.#partition);
    const path = join(dir, lakeObjectName(this.#opts.writer, this.#firstEventTime, this.#seq, 'jsonl.gz'));
    this.#seq += 1;
    await mkdir(dir, { recursive: true });
    await writeFile(path, deterministicGzip(Buffer.from(`${this.#lines.join('\n')}\n`, 'utf8')));
    this.files.push(path);
    this.#lines = [];
  }
}
