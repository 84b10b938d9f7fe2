import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClassicLevel } from 'classic-level';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

type Range = Parameters<ClassicLevel<string, Buffer>['clear']>[0];
interface ChainedDeletes {
  del(key: string): ChainedDeletes;
  write(): Promise<void>;
}
type Operation =
  | { readonly type: 'put'; readonly key: string; readonly value: Buffer }
  | { readonly type: 'del'; readonly key: string };

/**
 * The part of a LevelDB database aedes-persistence-level uses, with every value sealed with
 * AES-256-GCM. The local pub/sub broker queues SMIB events, card-ins with their card numbers among
 * them, for sessions that are away; sealed, no card number is written to disk in clear, and a store
 * copied without its key file reads as noise. Keys (client ids, topics, message numbers) stay clear:
 * LevelDB sorts and ranges on them.
 */
export class SealedValueStore {
  readonly #db: ClassicLevel<string, Buffer>;
  readonly #key: Buffer;

  constructor(db: ClassicLevel<string, Buffer>, key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`a sealing key has ${KEY_BYTES} bytes, not ${key.length}`);
    this.#db = db;
    this.#key = key;
  }

  // The persistence also passes `{ valueEncoding: 'buffer' }`, the database's own encoding already.
  async get(key: string): Promise<Buffer | undefined> {
    const sealed = await this.#db.get(key);
    return sealed === undefined ? undefined : this.#open(sealed);
  }

  put(key: string, value: Buffer): Promise<void> {
    return this.#db.put(key, this.#seal(value));
  }

  del(key: string): Promise<void> {
    return this.#db.del(key);
  }

  clear(range: Range): Promise<void> {
    return this.#db.clear(range);
  }

  /** With operations, a batch of puts (sealed) and deletes; without, a chained batch of deletes. */
  batch(operations: readonly Operation[]): Promise<void>;
  batch(): ChainedDeletes;
  batch(operations?: readonly Operation[]): Promise<void> | ChainedDeletes {
    if (operations === undefined) {
      const chained = this.#db.batch();
      const deletes: ChainedDeletes = {
        del: (key: string) => {
          chained.del(key);
          return deletes;
        },
        write: () => chained.write(),
      };
      return deletes;
    }
    return this.#db.batch(operations.map((op) => (op.type === 'put' ? { ...op, value: this.#seal(op.value) } : op)));
  }

  async *values(options: Range): AsyncGenerator<Buffer> {
    for await (const sealed of this.#db.values(options)) yield this.#open(sealed);
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  #seal(value: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(value), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  #open(sealed: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}

/**
 * The sealing key at `path`: 256 random bits made on first use (file 0600, folder 0700), read after.
 * A key file other users can read, or of the wrong size, is refused rather than used.
 */
export async function ensureSealingKey(path: string): Promise<Buffer> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) throw new Error(`sealing key ${path} is readable by other users; chmod 600 it`);
  const key = await readFile(path);
  if (key.length !== KEY_BYTES) throw new Error(`sealing key ${path} is not ${KEY_BYTES} bytes`);
  return key;
}
