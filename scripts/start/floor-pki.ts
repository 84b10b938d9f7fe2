import { randomBytes } from 'node:crypto';
import { access, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { issueLocal } from '@croupier/certs-tooling';
import { ensureIotCertificates } from '@croupier/cloud/local/certificates-bootstrap';
import type { IotCertificates } from '@croupier/cloud/local/local-cloud';

/** Paths of one client identity: a certificate whose CN is the MQTT client id it connects with. */
export interface ClientIdentity {
  readonly commonName: string;
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** The local floor's PKI: the project CA, the brokers' server certificate and client identities. */
export interface FloorPki {
  readonly dir: string;
  readonly caPath: string;
  readonly server: IotCertificates;
  /** The identity named `commonName`, issued from the local CA on first use and reused after. */
  client(commonName: string): Promise<ClientIdentity>;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Opens the PKI under `dir`, creating the CA and the server certificate on first run (the same
 * files the local cloud's own start command creates, so both commands share one CA). Keys are
 * written 0600 by certs-tooling and never pass through this process's output.
 */
export async function openFloorPki(dir: string, host: string): Promise<FloorPki> {
  const server = await ensureIotCertificates(dir, host);
  const caPath = join(dir, 'ca.cert.pem');
  return {
    dir,
    caPath,
    server,
    async client(commonName) {
      const certPath = join(dir, `${commonName}.cert.pem`);
      const keyPath = join(dir, `${commonName}.key.pem`);
      if (!((await exists(certPath)) && (await exists(keyPath)))) {
        await issueLocal(dir, { name: commonName, commonName, usage: 'client' });
      }
      return { commonName, caPath, certPath, keyPath };
    },
  };
}

/** The player-token key's size: 256 bits, as HMAC-SHA-256 wants. */
const PLAYER_TOKEN_KEY_BYTES = 32;
const HEX_KEY = /^([0-9a-f]{2}){32,}$/i;

/**
 * The local floor's player-token key (the HMAC key that turns card numbers into player tokens):
 * 256 random bits written as hex into `path` (mode 0600, folder 0700) on first start, read back on
 * every start after, so tokens stay stable across restarts. Both the SMIB simulator and SlotGateway
 * take it from here; no scenario file carries a key. A key file other users can read, or one that is
 * not hex of at least 32 bytes, is refused rather than used.
 */
export async function ensurePlayerTokenKey(path: string): Promise<Uint8Array> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written whole under a temporary name, then linked into place: a reader never sees a partial
  // key, and of two starts racing, the first link wins and both use its key.
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
    throw new Error(
      `player-token key ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  const text = (await readFile(path, 'utf8')).trim();
  if (!HEX_KEY.test(text))
    throw new Error(`player-token key ${path} is not hex of at least ${PLAYER_TOKEN_KEY_BYTES} bytes`);
  return Buffer.from(text, 'hex');
}
