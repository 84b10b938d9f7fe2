import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARK_NAMES, type BenchmarkName, benchmarkOptions, LATENCY_MODULE } from './benchmarks.js';
import { referenceEnvelopeEvents } from './cost-inputs.js';
import type { BenchFigures, Measured } from './figures.js';
import { REFERENCE_FLOOR } from './reference-floor.js';
import type { SlotDeployment } from './slot-deployment.js';

/**
 * A benchmark that has not finished in this long is stopped and reported unmeasured. The two that
 * start a whole local floor get longer: on a busy 2-core machine the floor alone may take minutes to start.
 */
const TIMEOUT_MS: Readonly<Record<BenchmarkName, number>> = {
  polling: 180_000,
  inference: 300_000,
  uplink: 360_000,
  rules: 180_000,
  dataPlane: 240_000,
  processors: 360_000,
  latency: 600_000,
  floor: 600_000,
};
/** How much of a failed benchmark's output the report keeps. */
const FAILURE_TAIL_CHARS = 600;

const runOne = fileURLToPath(new URL('./run-one.ts', import.meta.url));

/** Options of {@link runBenchmarks}. */
export interface RunOptions {
  readonly quick: boolean;
  readonly command: string;
  readonly deployment: SlotDeployment;
  readonly log: (line: string) => void;
}

const load = () => loadavg().map((n) => Math.round(n * 100) / 100) as [number, number, number];

/** Runs one benchmark in a child process and reads its figures back. */
async function isolated(name: BenchmarkName, options: unknown, dir: string): Promise<Measured<never>> {
  const resultPath = join(dir, `${name}.json`);
  const started = performance.now();
  // Its own process group, so a timeout also stops whatever the benchmark started (a whole floor).
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), runOne, name, JSON.stringify(options), resultPath],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // Ctrl-C reaches only this process's group: pass it on to the benchmark's own group.
  const interrupt = (signal: NodeJS.Signals) => {
    process.kill(-child.pid!, 'SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, TIMEOUT_MS[name]);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  const seconds = (performance.now() - started) / 1000;
  if (code === 0 && existsSync(resultPath))
    return { measured: true, seconds, figures: JSON.parse(await readFile(resultPath, 'utf8')) as never };
  const reason = timedOut
    ? `stopped after ${TIMEOUT_MS[name] / 1000} s`
    : `failed (exit ${code}): ${output.trim().split('\n').slice(-6).join(' ').slice(-FAILURE_TAIL_CHARS)}`;
  return { measured: false, reason };
}

/** Runs every benchmark once, one after the other, and returns the run's figures. */
export async function runBenchmarks(options: RunOptions): Promise<BenchFigures> {
  const startedAt = new Date().toISOString();
  const loadAtStart = load();
  const perBenchmark = benchmarkOptions(options.quick, [referenceEnvelopeEvents(options.deployment, REFERENCE_FLOOR)]);
  const dir = await mkdtemp(join(tmpdir(), 'croupier-bench-results-'));
  const results: Partial<Record<BenchmarkName, Measured<never>>> = {};
  try {
    for (const name of BENCHMARK_NAMES) {
      if (name === 'latency' && !existsSync(LATENCY_MODULE)) {
        results.latency = {
          measured: false,
          reason: 'the end-to-end latency benchmark (test/bench/latency.ts, issue 9) is not in this checkout yet',
        };
        options.log(`- ${name}: ${results.latency.reason}`);
        continue;
      }
      options.log(`▶ ${name}`);
      const result = await isolated(name, perBenchmark[name], dir);
      results[name] = result;
      options.log(result.measured ? `✓ ${name} (${result.seconds.toFixed(0)} s)` : `✗ ${name}: ${result.reason}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const cpu = cpus();
  return {
    run: {
      command: options.command,
      quick: options.quick,
      startedAt,
      finishedAt: new Date().toISOString(),
      node: process.version,
      cpuModel: cpu[0]?.model ?? 'unknown',
      cpus: cpu.length,
      memoryBytes: totalmem(),
      loadAtStart,
      loadAtEnd: load(),
    },
    polling: results.polling!,
    inference: results.inference!,
    uplink: results.uplink!,
    rules: results.rules!,
    dataPlane: results.dataPlane!,
    processors: results.processors!,
    latency: results.latency!,
    floor: results.floor!,
  };
}
