import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { writeMisfeedModel } from './models.js';

/** A test floor (a real broker over mutual TLS) and the misfeed model as FailureModel 1.0.0, in a temp folder. */
export interface MisfeedFloor {
  readonly dir: string;
  readonly floor: TestFloor;
  readonly modelDir: string;
  /** Publishes `body` as JSON at QoS 1 on the floor's local broker; resolves once the broker took it. */
  publishLocal(topic: string, body: unknown): Promise<void>;
}

export async function startMisfeedFloor(prefix: string): Promise<MisfeedFloor> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const modelDir = join(dir, 'models', '1.0.0');
  await mkdir(modelDir, { recursive: true });
  await writeMisfeedModel(modelDir, 'model-1.0.0');
  const floor = await startTestFloor(dir);
  return {
    dir,
    floor,
    modelDir,
    publishLocal: (topic, body) =>
      new Promise<void>((resolve, reject) =>
        floor.local.aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, dup: false, retain: false },
          (error) => (error ? reject(error) : resolve()),
        ),
      ),
  };
}
