import 'reflect-metadata';
import {
  AuthorityKeyIdentifierExtension,
  PemConverter,
  X509Certificate,
  X509Crl,
  X509CrlGenerator,
  X509CrlReason,
} from '@peculiar/x509';
import type { CertificateAuthority } from './certificate-authority.js';
import { crypto, SIGNING_ALGORITHM } from './crypto-provider.js';
import { importSigningKeyPem } from './key-pair.js';
import { normaliseSerialNumber } from './serial-number.js';

const DAY_MS = 86_400_000;

/**
 * Creates a CRL signed by `ca` listing `revokedSerialNumbers` (hex, any case, colons allowed), as PEM
 * usable as Node tls `crl`. OpenSSL rejects every client of a CA whose CRL has expired, so
 * `nextUpdate` is set `validityDays` ahead (default 30); reissue the CRL before then.
 */
export async function createRevocationList(
  ca: CertificateAuthority,
  revokedSerialNumbers: readonly string[],
  validityDays = 30,
): Promise<string> {
  const caCert = new X509Certificate(ca.certPem);
  const now = Date.now();
  const crl = await X509CrlGenerator.create(
    {
      issuer: caCert.subjectName,
      thisUpdate: new Date(now - 60_000),
      nextUpdate: new Date(now + validityDays * DAY_MS),
      signingKey: await importSigningKeyPem(ca.keyPem),
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [await AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto)],
      entries: [...new Set(revokedSerialNumbers.map(normaliseSerialNumber))].map((serialNumber) => ({
        serialNumber,
        revocationDate: new Date(now - 60_000),
        reason: X509CrlReason.unspecified,
      })),
    },
    crypto,
  );
  // OpenSSL (Node tls, openssl crl) only reads the `X509 CRL` PEM label, not the bare `CRL` label the library writes.
  return PemConverter.encode(crl.rawData, 'X509 CRL');
}

/**
 * The serial numbers a CRL (PEM, `X509 CRL` or `CRL` label) revokes, normalised like
 * `IssuedCertificate.serialNumber`. Parses only: the signature is checked where the CRL is used (Node tls).
 */
export function revokedSerialNumbers(crlPem: string): string[] {
  const der = PemConverter.decodeFirst(crlPem);
  return new X509Crl(der).entries.map((entry) => normaliseSerialNumber(entry.serialNumber));
}
