import { X509Certificate } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type CertificateAuthority, createCertificateAuthority } from './certificate-authority.js';
import { type CertificateUsage, issueCertificate } from './issue-certificate.js';
import { readKeyMaterial, writeKeyMaterial } from './key-material.js';
import { createRevocationList } from './revocation-list.js';
import { normaliseSerialNumber } from './serial-number.js';

/**
 * The local floor's PKI on disk, one directory (under the git-ignored state folder):
 * `ca.cert.pem`, `ca.key.pem` (0600), `<name>.cert.pem` / `<name>.key.pem` (0600) per issued
 * certificate, `revoked.json` (the revoked serial numbers) and `ca.crl.pem` (the CRL the brokers load).
 */
export const CA_NAME = 'ca';
export const CRL_FILE = 'ca.crl.pem';
const REVOKED_FILE = 'revoked.json';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Creates the CA unless one exists; refuses to replace it unless `force`, since that orphans every issued certificate. */
export async function initLocalCa(
  dir: string,
  opts: { commonName: string; validityDays?: number; force?: boolean },
): Promise<{ certPath: string; created: boolean }> {
  const certPath = join(dir, `${CA_NAME}.cert.pem`);
  if ((await exists(certPath)) && !opts.force) return { certPath, created: false };
  const ca = await createCertificateAuthority(opts);
  await writeKeyMaterial(dir, CA_NAME, ca);
  await writeCrl(dir, ca, []);
  return { certPath, created: true };
}

export async function loadLocalCa(dir: string): Promise<CertificateAuthority> {
  if (!(await exists(join(dir, `${CA_NAME}.cert.pem`)))) {
    throw new Error(`no CA in ${dir}: run "certs-tooling init-ca" first`);
  }
  return readKeyMaterial(dir, CA_NAME);
}

/** Issues a certificate from the local CA and writes it as `<name>.cert.pem` / `<name>.key.pem`. */
export async function issueLocal(
  dir: string,
  opts: {
    name: string;
    commonName: string;
    usage: CertificateUsage;
    dnsNames?: string[];
    ipAddresses?: string[];
    validityDays?: number;
  },
): Promise<{ certPath: string; keyPath: string; serialNumber: string }> {
  if (opts.name === CA_NAME) throw new Error(`"${CA_NAME}" is reserved for the CA`);
  const ca = await loadLocalCa(dir);
  const issued = await issueCertificate(ca, opts);
  const paths = await writeKeyMaterial(dir, opts.name, issued);
  return { ...paths, serialNumber: issued.serialNumber };
}

const revokedSchema = z.array(z.string());

async function writeCrl(dir: string, ca: CertificateAuthority, serials: string[]): Promise<string> {
  await writeFile(join(dir, REVOKED_FILE), `${JSON.stringify(serials, null, 2)}\n`, { mode: 0o644 });
  const crlPath = join(dir, CRL_FILE);
  await writeFile(crlPath, await createRevocationList(ca, serials), { mode: 0o644 });
  return crlPath;
}

/**
 * Adds serial numbers (hex) or the serials of certificate files to the revoked list and reissues the
 * CRL. Running it with nothing new just refreshes the CRL's `nextUpdate`.
 */
export async function revokeLocal(
  dir: string,
  targets: { serialNumbers?: string[]; certPaths?: string[] },
): Promise<{ crlPath: string; revoked: string[] }> {
  const ca = await loadLocalCa(dir);
  const revokedPath = join(dir, REVOKED_FILE);
  const current = (await exists(revokedPath))
    ? revokedSchema.parse(JSON.parse(await readFile(revokedPath, 'utf8')))
    : [];
  const fromFiles = await Promise.all(
    (targets.certPaths ?? []).map(async (path) => new X509Certificate(await readFile(path)).serialNumber),
  );
  const revoked = [...new Set([...current, ...(targets.serialNumbers ?? []), ...fromFiles].map(normaliseSerialNumber))];
  return { crlPath: await writeCrl(dir, ca, revoked), revoked };
}
