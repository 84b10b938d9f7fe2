import 'reflect-metadata';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { crypto, SIGNING_ALGORITHM } from './crypto-provider.js';
import { exportPrivateKeyPem, generateKeyPair } from './key-pair.js';

/** A PKCS#10 request and the private key it was made with; the key never leaves the device. */
export interface CertificateRequest {
  readonly csrPem: string;
  readonly keyPem: string;
}

/** Creates a fresh ECDSA P-256 key pair and a CSR for it with subject `CN=<commonName>`. */
export async function createCertificateRequest(commonName: string): Promise<CertificateRequest> {
  const keys = await generateKeyPair();
  const csr = await Pkcs10CertificateRequestGenerator.create(
    { name: [{ CN: [commonName] }], keys, signingAlgorithm: SIGNING_ALGORITHM },
    crypto,
  );
  return { csrPem: csr.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
