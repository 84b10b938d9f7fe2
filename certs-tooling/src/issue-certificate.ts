import 'reflect-metadata';
import type { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type JsonGeneralName,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import type { CertificateAuthority } from './certificate-authority.js';
import { crypto, SIGNING_ALGORITHM } from './crypto-provider.js';
import { exportPrivateKeyPem, generateKeyPair, importSigningKeyPem } from './key-pair.js';
import { randomSerialNumber } from './serial-number.js';
import { validityWindow } from './validity.js';

/**
 * `server`: a TLS endpoint (local IoT endpoint, client-device broker). `client`: an MQTT client
 * authenticating with mTLS (a core, an SMIB, a cloud-side service principal).
 */
export type CertificateUsage = 'server' | 'client';

export interface IssueCertificateOptions {
  /** For a core the thing name, for an SMIB its machine id: the broker authorises by this CN. */
  readonly commonName: string;
  readonly usage: CertificateUsage;
  /** Server certificates always include `localhost`; these are added. */
  readonly dnsNames?: readonly string[];
  /** Server certificates always include `127.0.0.1`; these are added. */
  readonly ipAddresses?: readonly string[];
  /** Defaults to 365 days. */
  readonly validityDays?: number;
}

/** An issued leaf certificate. `serialNumber` is lower-case hex, the form `createRevocationList` takes. */
export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly serialNumber: string;
}

/** Issues an ECDSA P-256 leaf certificate signed by `ca`, with a fresh key pair. */
export async function issueCertificate(
  ca: CertificateAuthority,
  opts: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  const keys = await generateKeyPair();
  const { certPem, serialNumber } = await signLeafCertificate(ca, keys.publicKey, opts);
  return { certPem, keyPem: await exportPrivateKeyPem(keys.privateKey), serialNumber };
}

/**
 * Signs the public key of a verified PKCS#10 request: the device keeps its private key. The subject
 * comes from `opts`, never from the request, so a device cannot choose its own identity.
 */
export async function issueCertificateFromCsr(
  ca: CertificateAuthority,
  csrPem: string,
  opts: IssueCertificateOptions,
): Promise<{ certPem: string; serialNumber: string }> {
  const csr = new Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify(crypto))) throw new Error('certificate signing request signature does not verify');
  return signLeafCertificate(ca, await csr.publicKey.export(crypto), opts);
}

async function signLeafCertificate(
  ca: CertificateAuthority,
  publicKey: webcrypto.CryptoKey,
  opts: IssueCertificateOptions,
): Promise<{ certPem: string; serialNumber: string }> {
  if (opts.commonName.trim() === '') throw new Error('commonName must not be empty');
  const caCert = new X509Certificate(ca.certPem);
  const serialNumber = randomSerialNumber();
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber,
      subject: [{ CN: [opts.commonName] }],
      issuer: caCert.subjectName,
      publicKey,
      signingKey: await importSigningKeyPem(ca.keyPem),
      signingAlgorithm: SIGNING_ALGORITHM,
      ...validityWindow(opts.validityDays ?? 365),
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyAgreement, true),
        new ExtendedKeyUsageExtension([
          opts.usage === 'server' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth,
        ]),
        await SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
        await AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto),
        ...(opts.usage === 'server' ? [new SubjectAlternativeNameExtension(serverNames(opts))] : []),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), serialNumber };
}

function serverNames(opts: IssueCertificateOptions): JsonGeneralName[] {
  const dns = new Set(['localhost', ...(opts.dnsNames ?? [])]);
  const ips = new Set(['127.0.0.1', ...(opts.ipAddresses ?? [])]);
  for (const ip of ips) if (isIP(ip) === 0) throw new Error(`"${ip}" is not an IP address`);
  return [
    ...[...dns].map((value): JsonGeneralName => ({ type: 'dns', value })),
    ...[...ips].map((value): JsonGeneralName => ({ type: 'ip', value })),
  ];
}
