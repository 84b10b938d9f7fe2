import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueLocal } from '@croupier/certs-tooling';
import { mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt, eventually, interruption } from '../iot/test/fixtures.js';
import type { LocalCloudEndpoints } from '../local-cloud.js';
import { repositoryRoot } from '../state-folder.js';

const START = join(repositoryRoot(), 'cloud', 'local', 'start.ts');
const QOS1 = mqtt.QoS.AtLeastOnce;
const STARTED = 'Ctrl-C stops it.';

/** `npm run local-cloud -w cloud -- …args` as a child process on ephemeral loopback ports. */
function startCommand(stateDir: string, args: readonly string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', START, ...args], {
    cwd: join(repositoryRoot(), 'cloud'),
    env: {
      ...process.env,
      CROUPIER_STATE_DIR: stateDir,
      CROUPIER_HOST: '127.0.0.1',
      CROUPIER_KINESIS_PORT: '0',
      CROUPIER_DYNAMODB_PORT: '0',
      CROUPIER_SNS_PORT: '0',
      CROUPIER_IOT_PORT: '0',
      CROUPIER_DEVICE_BROKER_PORT: '0',
      CROUPIER_IOT_DATA_PLANE_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { child, output: () => text };
}

/** The JSON log lines the command wrote, as its `log` prints them. */
const logLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('GIVEN the standalone local cloud started with `--core core-a --core core-b`', () => {
  let dir: string;
  let stateDir: string;
  let cloud: { child: ChildProcess; output: () => string };
  let iotPort: number;
  let caPem: string;
  const identity = async (thingName: string) => ({
    certPem: await readFile(join(stateDir, 'certs', `${thingName}.cert.pem`), 'utf8'),
    keyPem: await readFile(join(stateDir, 'certs', `${thingName}.key.pem`), 'utf8'),
  });
  const connectAs = async (thingName: string, files = thingName) =>
    connectMqtt({ port: iotPort, caPem, ...(await identity(files)), clientId: thingName });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-standalone-cloud-'));
    stateDir = join(dir, '.croupier');
    cloud = startCommand(stateDir, ['--core', 'core-a', '--core', 'core-b']);
    const exited = once(cloud.child, 'exit');
    await Promise.race([
      eventually(() => cloud.output().includes(STARTED), 'the local cloud to start', 90_000),
      exited.then(([code]) => {
        throw new Error(`the local cloud exited with ${code} before starting:\n${cloud.output()}`);
      }),
    ]);
    const endpoints = JSON.parse(
      await readFile(join(stateDir, 'cloud', 'endpoints.json'), 'utf8'),
    ) as LocalCloudEndpoints;
    iotPort = Number(new URL(endpoints.iot!.replace(/^mqtts:/, 'http:')).port);
    caPem = await readFile(join(stateDir, 'certs', 'ca.cert.pem'), 'utf8');
  }, 120_000);

  afterAll(async () => {
    if (cloud?.child.exitCode === null) {
      const exited = once(cloud.child, 'exit');
      cloud.child.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('WHEN it starts THEN it prints where each core’s certificate and key are: CN = thing name, key 0600', async () => {
    for (const core of ['core-a', 'core-b']) {
      const certPath = join(stateDir, 'certs', `${core}.cert.pem`);
      const keyPath = join(stateDir, 'certs', `${core}.key.pem`);
      expect(cloud.output()).toMatch(
        new RegExp(`${core}\\n\\s+certificate\\s+${certPath}\\n\\s+private key\\s+${keyPath}`),
      );
      const cert = new X509Certificate(await readFile(certPath));
      expect(cert.subject).toContain(`CN=${core}`);
      expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
      expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    }
    expect(cloud.output()).not.toContain('PRIVATE KEY');
  });

  it('WHEN core-a connects over mTLS THEN it publishes on its own health topic, and is refused and disconnected on core-b’s', async () => {
    const coreA = await connectAs('core-a');
    try {
      const own = await coreA.publish('croupier/desert-palms/core-a/health', '{"probe":"own"}', QOS1);
      expect(own.packet_id).toBeGreaterThan(0);

      const interrupted = interruption(coreA);
      void coreA.publish('croupier/desert-palms/core-b/health', '{"probe":"forged"}', QOS1).catch(() => {});
      await interrupted;
      await eventually(
        () =>
          logLines(cloud.output()).some(
            (line) =>
              line.message === 'iot denied' &&
              line.thingName === 'core-a' &&
              line.action === 'publish' &&
              line.resource === 'croupier/desert-palms/core-b/health',
          ),
        'the denial in the local cloud log',
      );
    } finally {
      await coreA.disconnect().catch(() => {});
    }
  });

  it('WHEN a certificate of the same CA names a core that was not registered THEN CONNECT is refused', async () => {
    await issueLocal(join(stateDir, 'certs'), { name: 'core-z', commonName: 'core-z', usage: 'client' });
    await expect(connectAs('core-z')).rejects.toBeDefined();
  });
});

describe('GIVEN a `--core` that is no thing name', () => {
  it('WHEN the local cloud is started with it THEN it exits 2 naming the problem, before starting anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'croupier-standalone-cloud-'));
    try {
      const run = startCommand(join(dir, '.croupier'), ['--core', '../core-a', '--core', 'local-iot']);
      const [code] = await once(run.child, 'close');
      expect(code).toBe(2);
      expect(run.output()).toContain('a thing name is 1-128 characters');
      expect(run.output()).toContain('reserved by the local PKI');
      expect(run.output()).not.toContain(STARTED);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
