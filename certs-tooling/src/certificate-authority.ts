import 'reflect-metadata';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { crypto, SIGNING_ALGORITHM } from './crypto-provider.js';
import { exportPrivateKeyPem, generateKeyPair } from './key-pair.js';
import { randomSerialNumber } from './serial-number.js';
import { validityWindow } from './validity.js';

/** A certificate authority as PEM: its self-signed certificate and its PKCS#8 private key. */
export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CreateCertificateAuthorityOptions {
  /** Subject and issuer CN of the root, e.g. `Croupier Local Floor Root CA`. */
  readonly commonName: string;
  /** Defaults to ten years: the local CA outlives every certificate it issues. */
  readonly validityDays?: number;
}

/**
 * Creates a self-signed ECDSA P-256 root CA that may sign certificates and CRLs but no further CAs
 * (path length 0), which is all the local floor needs.
 */
export async function createCertificateAuthority(
  opts: CreateCertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  if (opts.commonName.trim() === '') throw new Error('commonName must not be empty');
  const keys = await generateKeyPair();
  const cert = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: [{ CN: [opts.commonName] }],
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      ...validityWindow(opts.validityDays ?? 3650),
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
