import { ServerSerial } from 'modbus-serial';
import { corruptRtuFrame } from './comm-faults.js';
import type { SimulatedShuffler } from './device.js';
import { createShufflerVector } from './modbus-vector.js';

/** A Modbus RTU server on a serial line, answering for every shuffler on that bus. */
export interface ShufflerSerialServer {
  readonly path: string;
  close(): Promise<void>;
}

export interface ShufflerSerialServerOptions {
  readonly units: ReadonlyMap<number, SimulatedShuffler>;
  /** Serial device, e.g. /dev/ttyUSB0 or one end of a socat pty pair. */
  readonly path: string;
  readonly baudRate?: number;
}

interface Writable {
  write(data: Buffer): boolean;
}

/** Starts a Modbus RTU server (modbus-serial ServerSerial) and resolves once the port is open. */
export async function startShufflerSerialServer(options: ShufflerSerialServerOptions): Promise<ShufflerSerialServer> {
  const { units, path } = options;
  const vector = createShufflerVector((unitId) => units.get(unitId), 'silent');
  let server: ServerSerial | undefined;
  // ServerSerial writes responses to `portResponse` when given; routing them through here lets a
  // corrupt-frames fault break the CRC after modbus-serial computed it.
  const portResponse: Writable = {
    write: (frame: Buffer) => {
      const port = (server as unknown as { getPort(): Writable }).getPort();
      const device = units.get(frame[0] ?? -1);
      return port.write(device?.faults.corruptFrames ? corruptRtuFrame(frame) : frame);
    },
  };
  await new Promise<void>((resolve, reject) => {
    server = new ServerSerial(vector, {
      path,
      baudRate: options.baudRate ?? 19_200,
      unitID: 255,
      portResponse,
      openCallback: (err: Error | null) => (err ? reject(err) : resolve()),
    } as unknown as ConstructorParameters<typeof ServerSerial>[1]);
    server.on('socketError', () => {});
  });
  const opened = server as unknown as ServerSerial;
  return {
    path,
    close: () => new Promise<void>((resolve) => opened.close(() => resolve())),
  };
}
