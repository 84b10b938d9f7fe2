import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A certificate and its private key, both PEM. */
export interface KeyMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Paths written by `writeKeyMaterial`. */
export interface KeyMaterialPaths {
  readonly certPath: string;
  readonly keyPath: string;
}

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Writes `<name>.cert.pem` (0644) and `<name>.key.pem` (0600) into `dir` (created 0700 if missing).
 * The key file is created with mode 0600 and chmod-ed again, so an existing file with looser
 * permissions is tightened rather than trusted. Nothing is logged.
 */
export async function writeKeyMaterial(dir: string, name: string, material: KeyMaterial): Promise<KeyMaterialPaths> {
  if (!NAME.test(name)) throw new Error(`key material name "${name}" must be 1-128 of A-Z a-z 0-9 _ . : -`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, `${name}.cert.pem`);
  const keyPath = join(dir, `${name}.key.pem`);
  await writeFile(keyPath, material.keyPem, { mode: 0o600 });
  await chmod(keyPath, 0o600);
  await writeFile(certPath, material.certPem, { mode: 0o644 });
  await chmod(certPath, 0o644);
  return { certPath, keyPath };
}

/** Reads what `writeKeyMaterial` wrote. */
export async function readKeyMaterial(dir: string, name: string): Promise<KeyMaterial> {
  const [certPem, keyPem] = await Promise.all([
    readFile(join(dir, `${name}.cert.pem`), 'utf8'),
    readFile(join(dir, `${name}.key.pem`), 'utf8'),
  ]);
  return { certPem, keyPem };
}
