/**
 * The local cloud of a fault rig, in a process of its own so a fault can SIGKILL it: the local
 * cloud with every stream processor attached, as the local floor runs it. Configuration comes from
 * the environment (`CROUPIER_*`, as `npm run local-cloud` reads it, plus `FAULT_CORE`, the core
 * allowed to bridge the device broker). It prints `{"ready":<endpoints>}` once up and answers
 * commands on stdin, one per line: `iot-stop` and `iot-start` take the IoT Core stand-in down and
 * bring a fresh one up on the same ports; `stop` (or stdin closing) stops cleanly and exits.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadEnvironmentConfig } from '@croupier/cloud/infra/config/load';
import { type LocalIotCore, startLocalIotCore } from '@croupier/cloud/local/iot/index';
import { LOCAL_CREDENTIALS, startLocalCloud } from '@croupier/cloud/local/local-cloud';
import { parseLocalCloudConfig } from '@croupier/cloud/local/local-cloud-config';
import { z } from 'zod';
import { openFloorPki } from '../../../scripts/start/floor-pki.js';
import { attachStreamProcessors } from '../../../scripts/start/stream-processors.js';

const { FAULT_CORE: core } = z.object({ FAULT_CORE: z.string().min(1) }).parse(process.env);
const config = parseLocalCloudConfig(process.env);
const reply = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);

const pki = await openFloorPki(join(config.CROUPIER_STATE_DIR, 'certs'), config.CROUPIER_HOST);
const cloud = await startLocalCloud({
  config,
  iotCertificates: pki.server,
  deviceBrokerGatewayPrincipals: [core],
  log: (message, fields) => {
    if (/fail|error/i.test(message)) process.stderr.write(`${JSON.stringify({ message, ...fields })}\n`);
  },
});
await attachStreamProcessors(cloud, loadEnvironmentConfig('dev'), config.AWS_REGION);
const { endpoints } = cloud;
let iot: LocalIotCore | undefined = cloud.iot;
let stopping = false;
const port = (url: string) => Number(new URL(url.replace(/^mqtts:/, 'http:')).port);

const commands: Record<string, () => Promise<void>> = {
  'iot-stop': async () => {
    await iot?.drain();
    await iot?.close();
    iot = undefined;
  },
  'iot-start': async () => {
    iot ??= await startLocalIotCore({
      host: config.CROUPIER_HOST,
      tls: pki.server,
      iot: { port: port(endpoints.iot!) },
      deviceBroker: { port: port(endpoints.deviceBroker!), gatewayPrincipals: [core] },
      dataPlane: { port: Number(new URL(endpoints.iotDataPlane!).port) },
      kinesis: { endpoint: endpoints.kinesis, region: config.AWS_REGION, credentials: LOCAL_CREDENTIALS },
      lakeDir: endpoints.lakeDir,
    });
  },
  stop: async () => {
    if (stopping) return;
    stopping = true;
    if (iot !== cloud.iot) await iot?.close();
    await cloud.stop();
    reply({ done: 'stop' });
    process.exit(0);
  },
};

const input = createInterface({ input: process.stdin });
// The rig that started it is gone (stdin closed): stop rather than outlive it.
input.on('close', () => void commands.stop!());
input.on('line', (line) => {
  const command = commands[line.trim()];
  if (!command) return reply({ error: `unknown command ${line}` });
  command().then(
    () => reply({ done: line.trim() }),
    (error: unknown) => reply({ error: String(error) }),
  );
});
reply({ ready: endpoints });
