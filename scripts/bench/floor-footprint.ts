import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FloorSummary, READY_LINE } from '../start/floor-summary.js';
import type { FloorFootprint, ProcessFootprint } from './figures.js';
import { clockTicksPerSecond, readProcess } from './proc-stats.js';

/** How long the floor may take to come up on a busy machine (tsx compiles every component on first start). */
const START_TIMEOUT_MS = 240_000;
/** Uplink's own stop bound is 20 s; the start command stops components one after the other. */
const STOP_TIMEOUT_MS = 90_000;

/** Options of {@link measureFloorFootprint}. */
export interface FloorFootprintOptions {
  readonly repositoryRoot: string;
  /** Seconds the floor runs before the CPU window, and the CPU window itself. */
  readonly settleSeconds: number;
  readonly sampleSeconds: number;
  readonly log: (line: string) => void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function waitForReady(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the floor did not start within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      if (output().includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the start command exited with ${code}:\n${output().slice(-2_000)}`));
    });
  });
}

/**
 * Starts the local floor (`npm start`) on a temporary state folder with ephemeral ports and its
 * default scenarios, lets it run, and reads VmRSS, VmHWM and CPU time of every process it lists in
 * `<state>/floor.json` and of the start command itself (which hosts the local cloud, the
 * simulators and the stream processors). Stops it with SIGTERM, as Ctrl-C would.
 */
export async function measureFloorFootprint(options: FloorFootprintOptions): Promise<FloorFootprint> {
  const stateDir = await mkdtemp(join(tmpdir(), 'croupier-bench-floor-'));
  let output = '';
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(options.repositoryRoot, 'scripts', 'start.ts'),
      '--state-dir',
      stateDir,
      '--ephemeral-ports',
      '--core',
      'bench-core-1',
    ],
    {
      cwd: options.repositoryRoot,
      env: { ...process.env, INIT_CWD: options.repositoryRoot },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let summary: FloorSummary | undefined;
  try {
    await waitForReady(child, () => output);
    summary = JSON.parse(await readFile(join(stateDir, 'floor.json'), 'utf8')) as FloorSummary;
    const processes = [
      { name: 'start command: local cloud, simulators, stream processors, floor API', pid: child.pid! },
      ...summary.components.flatMap((c) => (c.pid === undefined ? [] : [{ name: c.name, pid: c.pid }])),
    ];
    options.log(`floor up: ${processes.length} processes; settling ${options.settleSeconds} s`);
    await new Promise((r) => setTimeout(r, options.settleSeconds * 1000));
    const before = await Promise.all(processes.map((p) => readProcess(p.pid)));
    const started = performance.now();
    await new Promise((r) => setTimeout(r, options.sampleSeconds * 1000));
    const after = await Promise.all(processes.map((p) => readProcess(p.pid)));
    const seconds = (performance.now() - started) / 1000;
    const ticks = clockTicksPerSecond();
    const footprints: ProcessFootprint[] = processes.map((p, i) => ({
      name: p.name,
      pid: p.pid,
      rssBytes: after[i]!.rssBytes,
      peakRssBytes: after[i]!.peakRssBytes,
      cpuPercentOfOneCore: ((after[i]!.ticks - before[i]!.ticks) / ticks / seconds) * 100,
    }));
    return {
      sampleSeconds: seconds,
      shufflers: summary.shufflers.count,
      machines: summary.slots.machines,
      processes: footprints,
    };
  } finally {
    await stopFloor(child, summary);
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function stopFloor(child: ChildProcess, summary: FloorSummary | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS));
    if ((await Promise.race([exited, timer])) === 'timeout') child.kill('SIGKILL');
  }
  // Components are the start command's children; after a forced stop they may outlive it.
  for (const c of summary?.components ?? []) if (c.pid !== undefined && alive(c.pid)) process.kill(c.pid, 'SIGKILL');
}
