import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TestFloor } from './test-floor.js';

export interface ComponentProcessOptions {
  readonly floor: TestFloor;
  /** The built bundle (`main.mjs`). */
  readonly bundlePath: string;
  readonly recipePath: string;
  readonly thingName: string;
  /** Deployment configuration merged over the recipe defaults; written to a watched file. */
  readonly configuration: unknown;
  /** Work directory of the component (its cwd), created if missing. */
  readonly workDirectory: string;
}

/** A component bundle running as a child process on the test floor, the way the local nucleus runs it. */
export interface ComponentProcess {
  readonly child: ChildProcess;
  readonly configurationPath: string;
  readonly pidFile: string;
  /** Parsed JSON log lines written so far. */
  lines(): Record<string, unknown>[];
  /** Settles once the process has exited and its output has been read to the end. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The CRT addon of this machine, for bundles run outside Greengrass. */
function crtAddonPath(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  return join(
    dirname(require.resolve('aws-crt/package.json')),
    'dist',
    'bin',
    `linux-${arch}-glibc`,
    'aws-crt-nodejs.node',
  );
}

/**
 * Starts a built component bundle with the local-floor settings file, a client certificate of its own,
 * the recipe and a deployment configuration file, as the local nucleus would.
 */
export async function startComponentProcess(options: ComponentProcessOptions): Promise<ComponentProcess> {
  const { floor, workDirectory } = options;
  await mkdir(workDirectory, { recursive: true });
  const identity = await floor.pki.client(`${options.thingName}-${workDirectory.split('/').at(-1)}`);
  const endpoint = (broker: { host: string; port: number }) => ({
    host: broker.host,
    port: broker.port,
    caPath: floor.pki.caPath,
    certPath: identity.certPath,
    keyPath: identity.keyPath,
  });
  const configurationPath = join(workDirectory, 'configuration.json');
  await writeFile(configurationPath, JSON.stringify(options.configuration));
  const settingsPath = join(workDirectory, 'local-floor-settings.json');
  await writeFile(
    settingsPath,
    JSON.stringify({
      local: endpoint(floor.local),
      upstream: endpoint(floor.upstream),
      recipePath: options.recipePath,
      configurationPath,
    }),
  );
  const pidFile = join(workDirectory, 'component.pid');
  const child = spawn(process.execPath, [options.bundlePath], {
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH,
      AWS_IOT_THING_NAME: options.thingName,
      CROUPIER_LOCAL_FLOOR_SETTINGS: settingsPath,
      AWS_CRT_NODEJS_BINARY_ABSOLUTE_PATH: crtAddonPath(),
      CROUPIER_PID_FILE: pidFile,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    configurationPath,
    pidFile,
    exit,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
