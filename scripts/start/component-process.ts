import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ClientIdentity } from './floor-pki.js';

/** A broker a component reaches over mutual TLS, and with which identity. */
export interface BrokerConnection {
  readonly host: string;
  readonly port: number;
  readonly identity: ClientIdentity;
}

/** One component as the local nucleus runs it: its recipe, entry point, deployment and identities. */
export interface ComponentLaunch {
  /** `com.croupier.<Name>`. */
  readonly name: string;
  /** TypeScript entry point, run with tsx (no build step on the local floor). */
  readonly entryPoint: string;
  readonly recipePath: string;
  /** Deployment configuration merged over the recipe's DefaultConfiguration. */
  readonly configuration: unknown;
  readonly local: BrokerConnection;
  /** Only for components that talk to IoT Core. */
  readonly upstream?: BrokerConnection;
  /** Extra environment the recipe's `Setenv` would give it (artifact paths of dependencies). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running component process. */
export interface RunningComponent {
  readonly name: string;
  readonly pid: number | undefined;
  readonly logPath: string;
  /** Resolves when the component reports RUNNING; rejects if it exits first. */
  readonly running: Promise<void>;
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`: the recipe's Shutdown step. Resolves with the exit code. */
  stop(graceMs: number): Promise<number | null>;
}

const endpoint = (connection: BrokerConnection) => ({
  host: connection.host,
  port: connection.port,
  caPath: connection.identity.caPath,
  certPath: connection.identity.certPath,
  keyPath: connection.identity.keyPath,
  clientId: connection.identity.commonName,
});

/**
 * Starts a component the way the local nucleus does: a work directory of its own under
 * `<componentsDir>/<name>/work` (spools and dead letters survive restarts there), the local-floor
 * settings file edge-kit's MQTT transport reads, the deployment configuration in a watched file,
 * and its JSON log lines appended to `<logsDir>/<name>.log`.
 */
export async function startComponent(
  launch: ComponentLaunch,
  dirs: { readonly componentsDir: string; readonly logsDir: string },
  thingName: string,
): Promise<RunningComponent> {
  const root = join(dirs.componentsDir, launch.name);
  const work = join(root, 'work');
  await mkdir(work, { recursive: true });
  await mkdir(dirs.logsDir, { recursive: true });
  const configurationPath = join(root, 'configuration.json');
  // May hold a secret (SlotGateway's player-token key): owner-readable only.
  await writeFile(configurationPath, `${JSON.stringify(launch.configuration, null, 2)}\n`, { mode: 0o600 });
  const settingsPath = join(root, 'local-floor-settings.json');
  await writeFile(
    settingsPath,
    `${JSON.stringify(
      {
        local: endpoint(launch.local),
        ...(launch.upstream ? { upstream: endpoint(launch.upstream) } : {}),
        recipePath: launch.recipePath,
        configurationPath,
      },
      null,
      2,
    )}\n`,
  );
  const logPath = join(dirs.logsDir, `${launch.name}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const tsx = import.meta.resolve('tsx');
  const child: ChildProcess = spawn(process.execPath, ['--import', tsx, launch.entryPoint], {
    cwd: work,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? work,
      AWS_IOT_THING_NAME: thingName,
      CROUPIER_LOCAL_FLOOR_SETTINGS: settingsPath,
      CROUPIER_PID_FILE: join(work, 'component.pid'),
      ...launch.env,
    },
    // Its own process group: a terminal's Ctrl-C reaches only the start command, which then stops
    // the components in order instead of all of them at once.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      if (line.includes('"message":"running"')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
    exited.then((code) => reject(new Error(`${launch.name} exited with code ${code} before running; see ${logPath}`)));
  });
  // Observed by the caller when it awaits; a late exit must not surface as an unhandled rejection.
  running.catch(() => {});
  exited.then(() => log.end());
  return {
    name: launch.name,
    pid: child.pid,
    logPath,
    running,
    exited,
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
