import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type IotCertificates, readIotCertificates } from './local-cloud.js';
import { repositoryRoot } from './state-folder.js';

const run = promisify(execFile);

/**
 * Returns the local IoT Core's certificates from `<state>/certs`, creating the local CA and the
 * server certificate (SAN localhost and the listen address) with the `certs-tooling` CLI the first
 * time. The CLI writes keys 0600 and prints paths only, so no key passes through this process's output.
 */
export async function ensureIotCertificates(certsDir: string, host: string): Promise<IotCertificates> {
  const existing = await readIotCertificates(certsDir);
  if (existing) return existing;
  const cli = join(repositoryRoot(), 'certs-tooling', 'src', 'cli.ts');
  const certs = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', cli, ...args, '--dir', certsDir], { cwd: repositoryRoot() });
  await certs('init-ca');
  const isIp = /^[\d.]+$|:/.test(host);
  await certs(
    'server',
    '--dns',
    isIp ? 'localhost' : `localhost,${host}`,
    '--ip',
    isIp ? `127.0.0.1,${host}` : '127.0.0.1',
  );
  const created = await readIotCertificates(certsDir);
  if (!created)
    throw new Error(
      `certs-tooling ran but ${certsDir} still lacks ca.cert.pem / local-iot.cert.pem / local-iot.key.pem`,
    );
  return created;
}
