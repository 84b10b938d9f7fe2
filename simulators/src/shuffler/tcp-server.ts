import type { Server, Socket } from 'node:net';
import { ServerTCP } from 'modbus-serial';
import { corruptTcpFrame } from './comm-faults.js';
import type { SimulatedShuffler } from './device.js';
import { createShufflerVector } from './modbus-vector.js';

/** A Modbus TCP endpoint serving several shufflers by unit id, as a serial-to-TCP gateway would. */
export interface ShufflerTcpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ShufflerTcpServerOptions {
  /** Shufflers by unit id (1–247). */
  readonly units: ReadonlyMap<number, SimulatedShuffler>;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
}

/** modbus-serial keeps its net.Server private; we need it for the bound port and to corrupt frames on the way out. */
function netServerOf(server: ServerTCP): Server {
  return (server as unknown as { _server: Server })._server;
}

/** Starts a Modbus TCP server (modbus-serial ServerTCP) for the given units and resolves once it listens. */
export async function startShufflerTcpServer(options: ShufflerTcpServerOptions): Promise<ShufflerTcpServer> {
  const host = options.host ?? '127.0.0.1';
  const { units } = options;
  const vector = createShufflerVector((unitId) => units.get(unitId), 'gateway-exception');
  // ServerTCP replaces a falsy port with 502; a numeric string reaches net.Server.listen intact.
  const server = new ServerTCP(vector, { host, port: String(options.port ?? 0) as unknown as number, unitID: 255 });
  const net = netServerOf(server);
  net.on('connection', (socket: Socket) => {
    const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
    socket.write = ((chunk: Buffer) => {
      const device = units.get(chunk[6] ?? -1);
      return write(device?.faults.corruptFrames ? corruptTcpFrame(chunk) : chunk);
    }) as typeof socket.write;
  });
  // A client vanishing mid-request is normal on a floor; it must not take the simulator down.
  server.on('socketError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('serverError', (err: unknown) => reject(err));
  });
  const address = net.address();
  if (address === null || typeof address === 'string') throw new Error('Modbus TCP server has no TCP address');
  return {
    host,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
