import { access } from 'node:fs/promises';
import { join } from 'node:path';
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
