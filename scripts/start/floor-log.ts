import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The start command's own log file: what the local cloud and model training report, in JSON lines. */
export interface FloorLog {
  readonly path: string;
  write(source: string, message: string, fields?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Opens `<logsDir>/floor.log` for appending (a restart continues the same file). */
export async function openFloorLog(logsDir: string): Promise<FloorLog> {
  await mkdir(logsDir, { recursive: true });
  const path = join(logsDir, 'floor.log');
  const stream = createWriteStream(path, { flags: 'a' });
  return {
    path,
    write: (source, message, fields = {}) =>
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), source, message, ...fields })}\n`),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
