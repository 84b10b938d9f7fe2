/**
 * `npm run local-cloud -w cloud`: starts the local cloud in the foreground, prints where everything
 * listens and stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureIotCertificates } from './certificates-bootstrap.js';
import { type LocalCloud, type LocalCloudEndpoints, startLocalCloud } from './local-cloud.js';
import { parseLocalCloudConfig } from './local-cloud-config.js';
import { stateFolder } from './state-folder.js';

const log = (message: string, fields: Record<string, unknown> = {}) => {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), source: 'local-cloud', message, ...fields })}\n`,
  );
};

function describe(endpoints: LocalCloudEndpoints): string {
  const rows: [string, string][] = [
    ['Kinesis (kinesalite)', endpoints.kinesis],
    ['DynamoDB (dynalite)', endpoints.dynamodb],
    ['SNS', endpoints.sns],
    ['IoT Core (MQTT/TLS)', endpoints.iot ?? 'not running (CROUPIER_LOCAL_IOT=false)'],
    ['Device broker (MQTT/TLS)', endpoints.deviceBroker ?? 'not running'],
    ['IoT data plane (HTTP)', endpoints.iotDataPlane ?? 'not running'],
    ['Timestream (DuckDB)', 'in process'],
    ['State folder', endpoints.stateDir],
    ['Lake', endpoints.lakeDir],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const env = Object.entries(endpoints.env).map(([key, value]) => `  ${key}=${value}`);
  return [
    'Croupier local cloud is running.',
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
    'Point AWS SDK clients at it with (also in <state>/cloud/endpoints.env):',
    ...env,
    '',
    'Ctrl-C stops it.',
  ].join('\n');
}

async function main(): Promise<void> {
  const config = parseLocalCloudConfig(process.env);
  const state = stateFolder(config.CROUPIER_STATE_DIR);
  const iotCertificates = config.CROUPIER_LOCAL_IOT
    ? await ensureIotCertificates(join(state.root, 'certs'), config.CROUPIER_HOST)
    : undefined;
  const cloud: LocalCloud = await startLocalCloud({ config, log, ...(iotCertificates ? { iotCertificates } : {}) });
  const pidFile = join(state.root, 'cloud', 'local-cloud.pid');
  await writeFile(pidFile, `${process.pid}\n`);
  process.stdout.write(`${describe(cloud.endpoints)}\n`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      log('second signal: exiting without a clean stop', { signal });
      process.exit(130);
    }
    stopping = true;
    log('stopping', { signal });
    cloud
      .stop()
      .then(() => rm(pidFile, { force: true }))
      .then(
        () => {
          log('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log('stop failed', { error: String(error) });
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`local-cloud: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
