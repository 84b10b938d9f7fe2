import { appendFile, rename, stat } from 'node:fs/promises';

/** One refused input, as kept in the dead-letter file. */
export interface DeadLetter {
  readonly receivedAt: number;
  readonly topic: string;
  readonly reason: string;
  /** The message as received, with card numbers masked. */
  readonly payload: string;
}

/** Masks card numbers in raw message text, even in messages too broken to parse. */
export function maskCardNumbers(text: string): string {
  return text.replace(/("cardNumber"\s*:\s*")[^"]*(")/g, '$1****$2');
}

/**
 * A JSON-lines dead-letter file, rotated to `<path>.1` when it grows past `maxBytes`, so a flood of
 * bad input cannot fill the disk. Writes are serialised.
 */
export class DeadLetterFile {
  #queue: Promise<void> = Promise.resolve();
  #count = 0;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
  ) {}

  /** Dead letters written since start. */
  get count(): number {
    return this.#count;
  }

  write(letter: DeadLetter): Promise<void> {
    this.#count += 1;
    const line = `${JSON.stringify({ ...letter, payload: maskCardNumbers(letter.payload) })}\n`;
    const written = this.#queue.then(async () => {
      const size = await stat(this.path).then(
        (s) => s.size,
        () => 0,
      );
      if (size + line.length > this.maxBytes) await rename(this.path, `${this.path}.1`);
      await appendFile(this.path, line, { mode: 0o600 });
    });
    this.#queue = written.catch(() => {});
    return written;
  }

  /** Resolves when every letter so far is on disk. */
  flushed(): Promise<void> {
    return this.#queue;
  }
}
