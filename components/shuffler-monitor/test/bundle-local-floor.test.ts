import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LOCAL_TOPICS, ShufflerTelemetry } from '@croupier/contracts';
import { createTestPki, startTlsBroker, type TlsBroker } from '@croupier/edge-kit/testing';
import { startShufflerTcpServer } from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedShufflers } from './support/simulated-fleet.js';

const run = promisify(execFile);
const componentDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/**
 * The artifact `gdk component build` produces, unpacked as Greengrass would, run as its own process on
 * the local floor: MQTT over mutual TLS to a real aedes broker, configuration from the recipe plus a
 * deployment file, against simulated shufflers over Modbus TCP.
 */
describe('GIVEN the built ShufflerMonitor artifact on the local floor', () => {
  const { units } = simulatedShufflers(3, 31);
  let dir: string;
  let broker: TlsBroker;
  let simulator: Awaited<ReturnType<typeof startShufflerTcpServer>>;
  let child: ChildProcess;
  let configPath: string;
  const received: ShufflerTelemetry[] = [];
  const logs: string[] = [];
  const deployment = (unitIds: number[]) => ({
    buses: { gw: { kind: 'tcp', host: simulator.host, port: simulator.port } },
    devices: unitIds.map((unitId) => ({
      deviceId: `floor-${unitId}`,
      bus: 'gw',
      unitId,
      registerMap: 'croupier-shuffler-v1',
    })),
    heartbeatMs: 1_000,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuffler-monitor-bundle-'));
    await run(tsx, ['scripts/build.ts'], { cwd: componentDir });
    const zip = join(
      componentDir,
      'greengrass-build/artifacts/com.croupier.ShufflerMonitor/1.0.0/shuffler-monitor.zip',
    );
    await run('unzip', ['-q', zip, '-d', join(dir, 'shuffler-monitor')]);
    const pki = await createTestPki(dir);
    broker = await startTlsBroker({ ca: pki.ca, server: pki.server });
    simulator = await startShufflerTcpServer({ units, port: 0 });
    const identity = await pki.client('core-bundle-test');
    configPath = join(dir, 'configuration.json');
    await writeFile(configPath, JSON.stringify(deployment([1, 2])));
    const settingsPath = join(dir, 'settings.json');
    await writeFile(
      settingsPath,
      JSON.stringify({
        local: {
          host: broker.host,
          port: broker.port,
          caPath: pki.caPath,
          certPath: identity.certPath,
          keyPath: identity.keyPath,
        },
        recipePath: join(componentDir, 'greengrass-build/recipes/recipe.yaml'),
        configurationPath: configPath,
      }),
    );
    await new Promise<void>((resolve) =>
      broker.aedes.subscribe(
        LOCAL_TOPICS.shufflerTelemetry,
        (packet, done) => {
          received.push(ShufflerTelemetry.parse(JSON.parse(packet.payload.toString())));
          done();
        },
        resolve,
      ),
    );
    child = spawn(process.execPath, [join(dir, 'shuffler-monitor', 'main.mjs')], {
      env: {
        PATH: process.env.PATH,
        CROUPIER_LOCAL_FLOOR_SETTINGS: settingsPath,
        AWS_IOT_THING_NAME: 'core-bundle-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await simulator?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN it runs THEN contract-valid telemetry of every configured shuffler reaches the local broker', async () => {
    await until(() => new Set(received.map((e) => e.deviceId)).size === 2, `telemetry; logs: ${logs.join('')}`);
    const one = received.find((e) => e.deviceId === 'floor-1')!;
    expect(one.serialNumber).toBe(units.get(1)!.config.serialNumber);
    expect(one.counters.shufflesTotal).toBe(units.get(1)!.view().state.shufflesTotal);
  });

  it('WHEN the deployment configuration changes THEN the new shuffler is polled without a restart', async () => {
    await writeFile(configPath, JSON.stringify(deployment([1, 2, 3])));
    await until(() => received.some((e) => e.deviceId === 'floor-3'), 'telemetry of the added shuffler');
    expect(child.exitCode).toBeNull();
  });

  it('WHEN it gets SIGTERM THEN it stops cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
