import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initLocalCa, issueLocal, revokeLocal } from '../src/local-pki.js';

describe('local floor PKI directory', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-pki-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN no CA WHEN issuing THEN it refuses and says how to create one', async () => {
    await expect(issueLocal(dir, { name: 'core-1', commonName: 'core-1', usage: 'client' })).rejects.toThrow(/init-ca/);
  });

  it('GIVEN a CA WHEN init runs again THEN the CA is kept unless forced', async () => {
    expect((await initLocalCa(dir, { commonName: 'Floor CA' })).created).toBe(true);
    const first = await readFile(join(dir, 'ca.cert.pem'), 'utf8');
    expect((await initLocalCa(dir, { commonName: 'Other CA' })).created).toBe(false);
    expect(await readFile(join(dir, 'ca.cert.pem'), 'utf8')).toBe(first);
    expect(await readFile(join(dir, 'ca.crl.pem'), 'utf8')).toMatch(/^-----BEGIN X509 CRL-----/);
  });

  it('GIVEN the CA WHEN a server and an SMIB certificate are issued THEN each has its CN, SANs and a 0600 key', async () => {
    const server = await issueLocal(dir, {
      name: 'local-iot',
      commonName: 'local-iot',
      usage: 'server',
      dnsNames: ['floor.local'],
    });
    const smib = await issueLocal(dir, { name: 'machine-0001', commonName: 'machine-0001', usage: 'client' });
    expect(new X509Certificate(await readFile(server.certPath)).subjectAltName).toBe(
      'DNS:localhost, DNS:floor.local, IP Address:127.0.0.1',
    );
    expect(new X509Certificate(await readFile(smib.certPath)).subject).toBe('CN=machine-0001');
    expect((await stat(smib.keyPath)).mode & 0o777).toBe(0o600);
    await expect(issueLocal(dir, { name: 'ca', commonName: 'ca', usage: 'client' })).rejects.toThrow(/reserved/);
    await expect(issueLocal(dir, { name: '../x', commonName: 'x', usage: 'client' })).rejects.toThrow(/must be/);
  });

  it('GIVEN issued certificates WHEN revoked by file and by serial THEN the CRL and list accumulate, without duplicates', async () => {
    const a = await issueLocal(dir, { name: 'core-a', commonName: 'core-a', usage: 'client' });
    const b = await issueLocal(dir, { name: 'core-b', commonName: 'core-b', usage: 'client' });
    const first = await revokeLocal(dir, { certPaths: [a.certPath] });
    expect(first.revoked).toEqual([a.serialNumber]);
    const second = await revokeLocal(dir, { serialNumbers: [b.serialNumber.toUpperCase(), a.serialNumber] });
    expect(second.revoked).toEqual([a.serialNumber, b.serialNumber]);
    expect(JSON.parse(await readFile(join(dir, 'revoked.json'), 'utf8'))).toEqual([a.serialNumber, b.serialNumber]);
    await expect(revokeLocal(dir, { serialNumbers: ['not-hex'] })).rejects.toThrow(/not hexadecimal/);
  });
});
