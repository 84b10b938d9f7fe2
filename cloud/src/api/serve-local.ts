import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** A running local floor API. */
export interface LocalApiServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the floor API over HTTP with Node, as the local floor does (port 0 picks a free one). */
export function serveFloorApi(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: { host: string; port: number },
): Promise<LocalApiServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => {
      resolve({
        url: `http://${options.host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
