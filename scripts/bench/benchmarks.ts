import { fileURLToPath } from 'node:url';
import type { BenchFigures } from './figures.js';
import { measureFloorFootprint } from './floor-footprint.js';

/** The benchmarks `npm run bench` runs, each in its own process, in this order. */
export const BENCHMARK_NAMES = [
  'polling',
  'inference',
  'uplink',
  'rules',
  'dataPlane',
  'processors',
  'latency',
  'floor',
] as const satisfies readonly Exclude<keyof BenchFigures, 'run'>[];
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where H-E2E's end-to-end latency benchmark lives (issue 9); the run reports it unmeasured until it exists. */
export const LATENCY_MODULE = fileURLToPath(new URL('../../test/bench/latency.ts', import.meta.url));

/** The options each benchmark takes, for a full run or a `--quick` smoke run. */
export function benchmarkOptions(quick: boolean, uplinkSampleBatchSizes: readonly number[]) {
  return {
    polling: { shufflers: 64, perGateway: 8, seconds: quick ? 3 : 10, intervalMs: 100 },
    inference: { shufflers: quick ? 16 : 64 },
    uplink: { events: quick ? 4_000 : 20_000, sampleBatchSizes: uplinkSampleBatchSizes },
    rules: { messages: quick ? 300 : 1_000, payloadBytes: 4_096 },
    dataPlane: { records: quick ? 1_000 : 5_000 },
    processors: {},
    latency: { seconds: quick ? 20 : 90 },
    floor: { settleSeconds: quick ? 5 : 20, sampleSeconds: quick ? 5 : 20 },
  } satisfies Record<BenchmarkName, unknown>;
}
type Options = ReturnType<typeof benchmarkOptions>;

/** Runs one benchmark in this process and returns its figures. */
export async function runBenchmark(name: BenchmarkName, options: Options[BenchmarkName]): Promise<unknown> {
  switch (name) {
    case 'polling':
      return (await import('../../components/shuffler-monitor/bench/poll.js')).benchShufflerPolling(
        options as Options['polling'],
      );
    case 'inference':
      return (await import('../../components/failure-predictor/bench/inference.js')).benchInference(
        options as Options['inference'],
      );
    case 'uplink':
      return (await import('../../components/uplink/bench/uplink.js')).benchUplink(options as Options['uplink']);
    case 'rules':
      return (await import('../../cloud/local/iot/bench/rules-throughput.js')).benchRulesThroughput(
        options as Options['rules'],
      );
    case 'dataPlane':
      return (await import('../../cloud/local/bench/data-plane-throughput.js')).benchDataPlane(
        options as Options['dataPlane'],
      );
    case 'processors':
      return (await import('../../cloud/bench/processors.js')).benchProcessors();
    case 'latency':
      return (await import('../../test/bench/latency.js')).measureEndToEndLatency(options as Options['latency']);
    case 'floor':
      return measureFloorFootprint({
        repositoryRoot,
        ...(options as Options['floor']),
        log: (line) => process.stderr.write(`  ${line}\n`),
      });
  }
}
