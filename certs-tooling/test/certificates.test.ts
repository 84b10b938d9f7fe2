import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createRevocationList,
  issueCertificate,
  readKeyMaterial,
  revokedSerialNumbers,
  writeKeyMaterial,
} from '../src/index.js';

/** Opens a real mTLS handshake and reports whether the server accepted the client certificate. */
async function handshake(
  ca: CertificateAuthority,
  server: { certPem: string; keyPem: string },
  client: { certPem: string; keyPem: string },
  crl?: string,
): Promise<'accepted' | 'rejected'> {
  const srv = tls.createServer(
    { cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true, crl },
    (socket) => socket.end('hello'),
  );
  srv.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  try {
    return await new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: client.certPem, key: client.keyPem });
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('error', () => resolve('rejected'));
      socket.on('close', () => resolve(data === 'hello' ? 'accepted' : 'rejected'));
    });
  } finally {
    await new Promise((resolve) => srv.close(resolve));
  }
}

describe('certificate authority and issued certificates', () => {
  let ca: CertificateAuthority;
  let dir: string;

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'Croupier Test Root CA' });
    dir = await mkdtemp(join(tmpdir(), 'croupier-certs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN a new CA WHEN parsed THEN it is a self-signed P-256 CA', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=Croupier Test Root CA');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('GIVEN a CA WHEN a client certificate is issued THEN CN, serial, issuer and purpose are right', async () => {
    const issued = await issueCertificate(ca, { commonName: 'core-vegas-01', usage: 'client', validityDays: 30 });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toBe('CN=core-vegas-01');
    expect(cert.serialNumber.toLowerCase()).toBe(issued.serialNumber);
    expect(cert.ca).toBe(false);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.subjectAltName).toBeUndefined();
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
  });

  it('GIVEN a server certificate request WHEN issued THEN localhost and 127.0.0.1 are always in the SAN', async () => {
    const issued = await issueCertificate(ca, {
      commonName: 'local-iot',
      usage: 'server',
      dnsNames: ['iot.floor.local'],
      ipAddresses: ['10.0.0.5'],
    });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subjectAltName).toBe('DNS:localhost, DNS:iot.floor.local, IP Address:127.0.0.1, IP Address:10.0.0.5');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('GIVEN a bad IP address WHEN a server certificate is requested THEN it is refused', async () => {
    await expect(
      issueCertificate(ca, { commonName: 'x', usage: 'server', ipAddresses: ['not-an-ip'] }),
    ).rejects.toThrow(/not an IP address/);
  });

  it('GIVEN mTLS with the CA WHEN the client certificate is revoked in the CRL THEN Node tls refuses it', async () => {
    const server = await issueCertificate(ca, { commonName: 'local-iot', usage: 'server' });
    const good = await issueCertificate(ca, { commonName: 'core-a', usage: 'client' });
    const revoked = await issueCertificate(ca, { commonName: 'core-b', usage: 'client' });
    const crl = await createRevocationList(ca, [revoked.serialNumber.toUpperCase()]);
    expect(await handshake(ca, server, good, crl)).toBe('accepted');
    expect(await handshake(ca, server, revoked, crl)).toBe('rejected');
    expect(await handshake(ca, server, revoked)).toBe('accepted');
    expect(revokedSerialNumbers(crl)).toEqual([revoked.serialNumber]);
  });

  it('GIVEN a certificate from another CA WHEN it connects THEN Node tls refuses it', async () => {
    const other = await createCertificateAuthority({ commonName: 'Someone Else CA' });
    const server = await issueCertificate(ca, { commonName: 'local-iot', usage: 'server' });
    const foreign = await issueCertificate(other, { commonName: 'core-a', usage: 'client' });
    expect(await handshake(ca, server, foreign)).toBe('rejected');
  });

  it('GIVEN key material WHEN written THEN the key is 0600, the certificate 0644 and both read back', async () => {
    const issued = await issueCertificate(ca, { commonName: 'smib-0001', usage: 'client' });
    const paths = await writeKeyMaterial(dir, 'smib-0001', issued);
    expect((await stat(paths.keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.certPath)).mode & 0o777).toBe(0o644);
    expect(paths.keyPath).toBe(join(dir, 'smib-0001.key.pem'));
    expect(await readKeyMaterial(dir, 'smib-0001')).toEqual({ certPem: issued.certPem, keyPem: issued.keyPem });
    await expect(writeKeyMaterial(dir, '../escape', issued)).rejects.toThrow(/must be/);
  });
});
