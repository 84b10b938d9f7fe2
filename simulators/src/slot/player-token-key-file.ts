import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The player-token key's size: 256 bits, as HMAC-SHA-256 wants. */
export const PLAYER_TOKEN_KEY_BYTES = 32;
const HEX_KEY = /^([0-9a-f]{2}){32,}$/i;

/** A player-token key file that exists but must not be used: readable by others, or not a key. */
export class PlayerTokenKeyFileError extends Error {
  override readonly name = 'PlayerTokenKeyFileError';
}

/**
 * The player-token key (the HMAC key that turns card numbers into player tokens) kept in `path`:
 * 256 random bits written as hex (mode 0600, folder 0700) when the file does not exist yet, read
 * back every time after, so tokens stay stable across runs. `npm start`, the SMIB simulator and the
 * history generator all take the key from here; no scenario file carries a key. A key file other
 * users can read, or one that is not hex of at least 32 bytes, is refused rather than used.
 */
export async function ensurePlayerTokenKey(path: string): Promise<Uint8Array> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written whole under a temporary name, then linked into place: a reader never sees a partial
  // key, and of two runs racing, the first link wins and both use its key.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(draft, `${randomBytes(PLAYER_TOKEN_KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) {
    throw new PlayerTokenKeyFileError(
      `player-token key ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  const text = (await readFile(path, 'utf8')).trim();
  if (!HEX_KEY.test(text)) {
    throw new PlayerTokenKeyFileError(
      `player-token key ${path} is not hex of at least ${PLAYER_TOKEN_KEY_BYTES} bytes`,
    );
  }
  return Buffer.from(text, 'hex');
}
