import { appendFile, rename, stat } from 'node:fs/promises';

/** One refused input, as kept in the dead-letter file. */
export interface DeadLetter {
  readonly receivedAt: number;
  readonly topic: string;
  readonly reason: string;
  /** The message as received, with card numbers masked. */
  readonly payload: string;
}

const MASK = '****';

/** Runs of 12 or more digits, optionally grouped by spaces or dashes: the shape of a card number (PAN). */
const DIGIT_RUN = /\d(?:[ -]?\d){11,}/g;

/** `cardNumber`, `card_number`, `CardNumber`, `card-number`, … all read as one key. */
const isCardNumberKey = (key: string) => key.replace(/[^a-z0-9]/gi, '').toLowerCase() === 'cardnumber';

/** Replaces the value of every card-number key, at any depth and of any type. */
function maskParsed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskParsed);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own properties, so a `__proto__` key in the message stays a plain key.
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, isCardNumberKey(key) ? MASK : maskParsed(inner)]),
  );
}

/**
 * Masks card numbers in a refused message. JSON is masked after parsing, so no spelling of the key
 * (escapes such as `card\u004eumber`, other cases or separators) and no type of the value (string,
 * number, object) keeps a card number; the result is the re-serialised JSON. Text that is not a JSON
 * object or array, too broken to parse, has every long digit run masked instead.
 */
export function maskCardNumbers(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.replace(DIGIT_RUN, MASK);
  }
  if (parsed === null || typeof parsed !== 'object') return text.replace(DIGIT_RUN, MASK);
  return JSON.stringify(maskParsed(parsed));
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
