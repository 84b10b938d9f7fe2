/**
 * `npm start`: the local floor on one machine, no AWS account. See `npm start -- --help`.
 * Ctrl-C (SIGINT) or SIGTERM stops it cleanly; a second signal exits at once.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleReporter } from './start/console-reporter.js';
import { renderFloorSummary } from './start/floor-summary.js';
import { type FlowCounters, flowRates, formatFlowRates } from './start/flow-rates.js';
import { startLocalFloor } from './start/local-floor.js';
import { parseStartOptions, USAGE } from './start/options.js';

/** How often the throughput line is printed. */
const FLOW_REPORT_MS = 10_000;
/**
 * Ctrl-C in a terminal signals every process of the foreground group, and npm and tsx relay it
 * again: several SIGINTs arrive within milliseconds. Only a signal this long after the first one
 * is taken as a second, impatient Ctrl-C.
 */
const SECOND_SIGNAL_AFTER_MS = 2_000;

// No CloudWatch on the local floor: the processors' embedded-metric lines would only flood the terminal.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const repositoryRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const reporter = consoleReporter();

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2), process.env, {
    repositoryRoot,
    stateDir: join(repositoryRoot, '.croupier'),
  });
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  let stoppingSince: number | undefined;
  let flowTimer: NodeJS.Timeout | undefined;
  const starting = startLocalFloor(options, repositoryRoot, reporter);
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < SECOND_SIGNAL_AFTER_MS) return;
      reporter.warn(`second ${signal}: exiting without a clean stop`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    clearInterval(flowTimer);
    reporter.step(`${signal}: stopping the local floor`);
    // A signal during start waits for the start to finish and then stops what runs; a failed start
    // has already stopped what it had started.
    starting
      .then(
        (floor) => floor.stop(),
        () => undefined,
      )
      .then(
        () => {
          reporter.step('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          reporter.warn(`stop failed: ${String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  reporter.step(`starting the local floor in ${options.stateDir}`);
  const floor = await starting;
  if (stoppingSince !== undefined) return;
  reporter.block(renderFloorSummary(floor.summary));

  let previous: FlowCounters = floor.counters();
  let previousAt = Date.now();
  flowTimer = setInterval(() => {
    const current = floor.counters();
    const now = Date.now();
    reporter.step(`flow: ${formatFlowRates(flowRates(previous, current, now - previousAt))}`);
    previous = current;
    previousAt = now;
  }, FLOW_REPORT_MS);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
