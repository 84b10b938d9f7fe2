import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueCertificate,
} from '@croupier/certs-tooling';

/** PEM files of one client identity. */
export interface ClientIdentityFiles {
  readonly commonName: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A throw-away PKI for tests: a CA, a broker certificate and client identities on disk. */
export interface TestPki {
  readonly ca: CertificateAuthority;
  readonly caPath: string;
  readonly server: IssuedCertificate;
  client(commonName: string): Promise<ClientIdentityFiles>;
}

/** Creates a CA and a server certificate with certs-tooling and writes PEM files under `directory`. */
export async function createTestPki(directory: string): Promise<TestPki> {
  const ca = await createCertificateAuthority({ commonName: 'Croupier Test Root CA' });
  const caPath = join(directory, 'ca.pem');
  await writeFile(caPath, ca.certPem);
  const server = await issueCertificate(ca, { commonName: 'croupier-test-broker', usage: 'server' });
  return {
    ca,
    caPath,
    server,
    async client(commonName) {
      const issued = await issueCertificate(ca, { commonName, usage: 'client' });
      const certPath = join(directory, `${commonName}.cert.pem`);
      const keyPath = join(directory, `${commonName}.key.pem`);
      await writeFile(certPath, issued.certPem);
      await writeFile(keyPath, issued.keyPem, { mode: 0o600 });
      return { commonName, certPath, keyPath, certPem: issued.certPem, keyPem: issued.keyPem };
    },
  };
}
