import type { Server } from 'node:http';

/** Listens and resolves once bound, rejecting on a bind error (port in use, bad host). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Closes a server and the emulator database behind it. Idle keep-alive sockets would otherwise
 * hold `close` open until they time out.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
