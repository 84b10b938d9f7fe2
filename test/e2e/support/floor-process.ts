import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** What `npm start` writes to `<state>/floor.json` (the parts the end-to-end checks read). */
export interface FloorFile {
  readonly core: string;
  readonly cloud: {
    readonly kinesis: string;
    readonly dynamodb: string;
    readonly sns: string;
    readonly lakeDir: string;
  };
  readonly localPubSub: string;
  readonly components: readonly { readonly name: string; readonly pid: number }[];
}

/** `npm start` running headless in a child process. */
export interface FloorProcess {
  readonly stateDir: string;
  readonly floor: FloorFile;
  /** Everything it printed so far. */
  output(): string;
  /** SIGINT (Ctrl-C), then its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL it and its components, for a test that failed half-way. */
  kill(): void;
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with the last error seen. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs `scripts/start.ts` with `args` (plus `--state-dir` and `--ephemeral-ports`) and resolves once it
 * reports the floor running. Metrics lines are off, as `npm start` sets them.
 */
export async function startFloorProcess(
  stateDir: string,
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<FloorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(repositoryRoot, 'scripts', 'start.ts'),
      '--state-dir',
      stateDir,
      '--ephemeral-ports',
      ...args,
    ],
    {
      cwd: repositoryRoot,
      env: { ...process.env, INIT_CWD: repositoryRoot, POWERTOOLS_METRICS_DISABLED: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let floor: FloorFile | undefined;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const component of floor?.components ?? []) if (alive(component.pid)) process.kill(component.pid, 'SIGKILL');
  };
  try {
    await until('the floor to report it is running', options.timeoutMs, async () => {
      if (child.exitCode !== null) throw new Error(`start exited with ${child.exitCode}:\n${output}`);
      return output.includes('Croupier local floor is running.') ? true : undefined;
    });
    floor = JSON.parse(await readFile(join(stateDir, 'floor.json'), 'utf8')) as FloorFile;
  } catch (error) {
    kill();
    throw new Error(`${(error as Error).message}\n--- output ---\n${output}`);
  }
  const running = floor;
  return {
    stateDir,
    floor: running,
    output: () => output,
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
    kill,
  };
}
