/**
 * Runs one benchmark in its own process, so its memory, native addons and CPU do not mix with the
 * others': `tsx scripts/bench/run-one.ts <name> <options JSON> <result file>`. Writes the figures
 * as JSON to the result file; a failure exits non-zero with the reason on stderr.
 */
import { writeFile } from 'node:fs/promises';
import { BENCHMARK_NAMES, type BenchmarkName, runBenchmark } from './benchmarks.js';

const [name, optionsJson, resultPath] = process.argv.slice(2);
if (!name || !BENCHMARK_NAMES.includes(name as BenchmarkName) || !optionsJson || !resultPath) {
  process.stderr.write(`usage: run-one.ts <${BENCHMARK_NAMES.join('|')}> <options JSON> <result file>\n`);
  process.exit(2);
}
// No CloudWatch here: the processors' embedded-metric lines would only flood the log.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
try {
  const figures = await runBenchmark(name as BenchmarkName, JSON.parse(optionsJson));
  await writeFile(resultPath, JSON.stringify(figures));
  process.exit(0);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
