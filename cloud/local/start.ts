/**
 * `npm run local-cloud -w cloud [-- --core <thingName> ...]`: starts the local cloud in the
 * foreground, prints where everything listens and stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
 *
 * Each `--core` registers a floor core with the local IoT Core, as `npm start` registers its own:
 * the core's client certificate (CN = thing name) is issued from the local CA into `<state>/certs`
 * on first use, and the core may then connect with it and publish under its own thing name only.
 */
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { issueLocal } from '@croupier/certs-tooling';
import { z } from 'zod';
import { ensureIotCertificates } from './certificates-bootstrap.js';
import { type LocalCloud, type LocalCloudEndpoints, startLocalCloud } from './local-cloud.js';
import { parseLocalCloudConfig } from './local-cloud-config.js';
import { stateFolder } from './state-folder.js';

/**
 * Certificate names the local PKI already uses for something else: the CA, the IoT Core's server
 * certificate, and the floor API's downlink service principal (which gets the service policy, not a core's).
 */
const RESERVED_NAMES = ['ca', 'local-iot', 'croupier-floor-api'];

/** An AWS IoT thing name; it is the core certificate's CN, its MQTT client id and a topic segment. */
const ThingName = z
  .string()
  .regex(/^[A-Za-z0-9:_-]{1,128}$/, 'a thing name is 1-128 characters of A-Z a-z 0-9 : _ -')
  .refine((name) => !RESERVED_NAMES.includes(name), {
    message: `${RESERVED_NAMES.join(', ')} are reserved by the local PKI`,
  });

const StartArguments = z.object({
  cores: z.array(ThingName).refine((cores) => new Set(cores).size === cores.length, 'each --core may be given once'),
});
type StartArguments = z.infer<typeof StartArguments>;

const USAGE = 'usage: npm run local-cloud -w cloud [-- --core <thingName> [--core <thingName> ...]]';

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseStartArguments(argv: readonly string[]): StartArguments {
  let values: { core?: string[] };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { core: { type: 'string', multiple: true } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const parsed = StartArguments.safeParse({ cores: values.core ?? [] });
  if (!parsed.success) throw new UsageError(`invalid arguments:\n${z.prettifyError(parsed.error)}\n${USAGE}`);
  return parsed.data;
}

/** Where a registered core finds its identity: the files its nucleus (or a test client) connects with. */
interface CoreIdentity {
  readonly thingName: string;
  readonly certPath: string;
  readonly keyPath: string;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The core's client certificate from `certsDir`, issued from the local CA the first time, exactly as
 * the local floor issues its core's (certs-tooling writes the key 0600; only paths are printed).
 */
async function ensureCoreIdentity(certsDir: string, thingName: string): Promise<CoreIdentity> {
  const certPath = join(certsDir, `${thingName}.cert.pem`);
  const keyPath = join(certsDir, `${thingName}.key.pem`);
  if (!((await exists(certPath)) && (await exists(keyPath)))) {
    await issueLocal(certsDir, { name: thingName, commonName: thingName, usage: 'client' });
  }
  return { thingName, certPath, keyPath };
}

const log = (message: string, fields: Record<string, unknown> = {}) => {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), source: 'local-cloud', message, ...fields })}\n`,
  );
};

function describe(endpoints: LocalCloudEndpoints, caPath: string, cores: readonly CoreIdentity[]): string {
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
  const coreLines =
    cores.length === 0
      ? []
      : [
          'Registered cores (connect to IoT Core with client id = thing name):',
          `  CA           ${caPath}`,
          ...cores.flatMap((core) => [
            `  ${core.thingName}`,
            `    certificate  ${core.certPath}`,
            `    private key  ${core.keyPath}`,
          ]),
          '',
        ];
  return [
    'Croupier local cloud is running.',
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
    ...coreLines,
    'Point AWS SDK clients at it with (also in <state>/cloud/endpoints.env):',
    ...env,
    '',
    'Ctrl-C stops it.',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseStartArguments(process.argv.slice(2));
  const config = parseLocalCloudConfig(process.env);
  if (args.cores.length > 0 && !config.CROUPIER_LOCAL_IOT) {
    throw new UsageError('--core registers a core with the local IoT Core, which CROUPIER_LOCAL_IOT=false turns off');
  }
  const state = stateFolder(config.CROUPIER_STATE_DIR);
  const certsDir = join(state.root, 'certs');
  const iotCertificates = config.CROUPIER_LOCAL_IOT
    ? await ensureIotCertificates(certsDir, config.CROUPIER_HOST)
    : undefined;
  const cores: CoreIdentity[] = [];
  for (const thingName of args.cores) cores.push(await ensureCoreIdentity(certsDir, thingName));
  const cloud: LocalCloud = await startLocalCloud({
    config,
    log,
    ...(iotCertificates ? { iotCertificates } : {}),
    // As on the local floor: a core is registered with IoT Core and plays its side of the device broker.
    deviceBrokerGatewayPrincipals: args.cores,
  });
  const pidFile = join(state.root, 'cloud', 'local-cloud.pid');
  await writeFile(pidFile, `${process.pid}\n`);
  process.stdout.write(`${describe(cloud.endpoints, join(certsDir, 'ca.cert.pem'), cores)}\n`);

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
  // 2, as for any command-line misuse, so scripts can tell a bad invocation from a failed start.
  process.exit(error instanceof UsageError ? 2 : 1);
});
