import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { issueCertificate } from '@croupier/certs-tooling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerSerialNumber, peerThingName } from '../peer-identity.js';
import { createPki, type Pki } from './fixtures.js';

describe('peer identity of an mTLS connection', () => {
  let pki: Pki;
  let server: tls.Server;
  const accepted: tls.TLSSocket[] = [];

  /** Opens a real mTLS connection with a client certificate for `commonName`; returns the server's side of it. */
  const serverSideOf = async (commonName: string) => {
    const cert = await issueCertificate(pki.ca, { commonName, usage: 'client' });
    const next = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    const client = tls.connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      ca: pki.ca.certPem,
      cert: cert.certPem,
      key: cert.keyPem,
    });
    await once(client, 'secureConnect');
    client.on('error', () => {});
    const [socket] = await next;
    socket.on('error', () => {});
    accepted.push(socket);
    return { socket, client, serialNumber: cert.serialNumber };
  };

  beforeAll(async () => {
    pki = await createPki();
    server = tls.createServer({
      ca: pki.ca.certPem,
      cert: pki.server.certPem,
      key: pki.server.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('GIVEN a verified client certificate THEN its CN is the thing name and its serial is read', async () => {
    const { socket, client, serialNumber } = await serverSideOf('core-a');
    expect(peerThingName(socket)).toBe('core-a');
    expect(peerSerialNumber(socket)).toBe(serialNumber);
    client.destroy();
  });

  it('GIVEN a client that hung up and whose TLS handle is gone THEN there is no identity, and nothing throws', async () => {
    const { socket, client } = await serverSideOf('core-a');
    const closed = once(socket, 'close');
    client.destroy();
    await closed;
    // What aedes' `authenticate` sees when the hang-up races the CONNECT: still "authorized", no certificate.
    expect(socket.authorized).toBe(true);
    expect(socket.getPeerCertificate()).toBeNull();
    expect(peerThingName(socket)).toBeUndefined();
    expect(peerSerialNumber(socket)).toBeUndefined();
  });

  it('GIVEN a CN that is a topic pattern THEN it is no thing name', async () => {
    const { socket, client } = await serverSideOf('core-+');
    expect(peerThingName(socket)).toBeUndefined();
    client.destroy();
  });

  it('GIVEN something that is not a TLS socket, or nothing THEN there is no identity', () => {
    for (const conn of [
      undefined,
      null,
      {},
      { authorized: true },
      { authorized: false, getPeerCertificate: () => ({}) },
    ]) {
      expect(peerThingName(conn)).toBeUndefined();
      expect(peerSerialNumber(conn)).toBeUndefined();
    }
  });
});
