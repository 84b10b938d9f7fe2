import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import type { CertificateAuthority, IssuedCertificate } from '@croupier/certs-tooling';
import { Aedes, type AedesOptions } from 'aedes';

export interface TlsBrokerOptions {
  readonly ca: CertificateAuthority;
  readonly server: IssuedCertificate;
  readonly aedes?: AedesOptions;
}

/** A real aedes broker behind a mutual-TLS listener on 127.0.0.1, with link-loss controls for tests. */
export interface TlsBroker {
  readonly aedes: Aedes;
  readonly host: string;
  readonly port: number;
  /** Cuts every connection and stops listening: a link loss. Sessions and queued messages survive. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops and closes the broker. */
  close(): Promise<void>;
}

/**
 * Starts aedes on an ephemeral port, requiring client certificates signed by `ca`. The client
 * certificate's common name is exposed as `client.tlsCommonName` on the aedes client, for
 * authorisation hooks.
 */
export async function startTlsBroker(options: TlsBrokerOptions): Promise<TlsBroker> {
  const aedes = await Aedes.createBroker(options.aedes);
  const sockets = new Set<Socket>();
  let server: tls.Server | undefined;
  let port = 0;
  const listen = async () => {
    const next = tls.createServer(
      {
        cert: options.server.certPem,
        key: options.server.keyPem,
        ca: options.ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        const client = aedes.handle(socket) as unknown as { tlsCommonName?: string };
        const subject = socket.getPeerCertificate().subject as { CN?: string | string[] } | undefined;
        client.tlsCommonName = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
      },
    );
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const stop = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await listen();
  return {
    aedes,
    host: '127.0.0.1',
    get port() {
      return port;
    },
    stop,
    start: listen,
    async close() {
      await stop();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
