/**
 * Benchmark: ShufflerMonitor polling N simulated shufflers over Modbus TCP, then FailurePredictor
 * inference. Prints polls per second, Modbus requests per second, CPU and RSS of the monitor (the
 * simulators run in a child process), and the predictor's inference latency and RSS (its own child).
 *
 *   npx tsx components/shuffler-monitor/bench/poll.ts [--shufflers 64] [--per-gateway 8] [--seconds 10] [--interval-ms 100]
 *
 * `benchShufflerPolling` returns the monitor's figures to `npm run bench`, which runs the predictor's
 * benchmark on its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MonitorConfig } from '../src/config.js';
import { ShufflerMonitor } from '../src/shuffler-monitor.js';
import { defaultConfiguration } from '../test/support/recipe.js';

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

/** Options of {@link benchShufflerPolling}. */
export interface PollBenchOptions {
  readonly shufflers: number;
  readonly perGateway: number;
  readonly seconds: number;
  readonly intervalMs: number;
}

/** What the polling benchmark measures, per second of the measured window. */
export interface PollBenchFigures extends PollBenchOptions {
  readonly gateways: number;
  readonly targetPollsPerSecond: number;
  readonly okPollsPerSecond: number;
  readonly failedPollsPerSecond: number;
  readonly skippedPollsPerSecond: number;
  readonly modbusRequestsPerSecond: number;
  readonly telemetryPerSecond: number;
  /** CPU of the monitor's process, percent of one core. */
  readonly cpuPercentOfOneCore: number;
  readonly cpuMicrosecondsPerPoll: number;
  readonly rssBytes: number;
}

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/** Polls a simulated fleet (served by a child process) for `seconds` after a one-second warm-up. */
export async function benchShufflerPolling(options: PollBenchOptions): Promise<PollBenchFigures> {
  const { shufflers, perGateway, seconds, intervalMs } = options;
  const floor = spawn(
    tsx,
    [fileURLToPath(new URL('./simulated-floor.ts', import.meta.url)), String(shufflers), String(perGateway)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const { gateways } = JSON.parse(await firstLine(floor)) as {
      gateways: { host: string; port: number; units: number }[];
    };

    const defaults = defaultConfiguration();
    const map = defaults.registerMaps['croupier-shuffler-v1']!;
    const config = MonitorConfig.parse({
      ...defaults,
      registerMaps: {
        'croupier-shuffler-v1': {
          ...map,
          groups: map.groups.map((g) => (g.name === 'status' ? { ...g, intervalMs, jitterMs: intervalMs } : g)),
        },
      },
      buses: Object.fromEntries(gateways.map((g, i) => [`gw${i}`, { kind: 'tcp', host: g.host, port: g.port }])),
      devices: gateways.flatMap((g, i) =>
        Array.from({ length: g.units }, (_, u) => ({
          deviceId: `bench-${i * perGateway + u + 1}`,
          bus: `gw${i}`,
          unitId: u + 1,
          registerMap: 'croupier-shuffler-v1',
        })),
      ),
    });

    let ok = 0;
    let failed = 0;
    let skipped = 0;
    let published = 0;
    let requests = 0;
    const monitor = new ShufflerMonitor(
      {
        // Serialised as the component would before publishing, so the CPU figure includes it.
        telemetry: (e) => {
          if (JSON.stringify(e).length > 0) published += 1;
        },
        rejected: (deviceId, reason) => console.error(`rejected ${deviceId}: ${reason}`),
        polled: (_d, _g, outcome) => {
          if (outcome === 'ok') ok += 1;
          else if (outcome === 'failed') failed += 1;
          else skipped += 1;
        },
      },
      {
        now: Date.now,
        random: Math.random,
        busObserver: () => {
          requests += 1;
        },
      },
    );
    await monitor.apply(config);
    await new Promise((r) => setTimeout(r, 1_000));
    ok = failed = skipped = published = requests = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1_000));
    const elapsed = (performance.now() - started) / 1_000;
    const used = process.cpuUsage(cpu);
    const rss = process.memoryUsage().rss;
    await monitor.stop();

    const target = (shufflers * 1_000) / intervalMs;
    return {
      ...options,
      gateways: gateways.length,
      targetPollsPerSecond: target,
      okPollsPerSecond: ok / elapsed,
      failedPollsPerSecond: failed / elapsed,
      skippedPollsPerSecond: skipped / elapsed,
      modbusRequestsPerSecond: requests / elapsed,
      telemetryPerSecond: published / elapsed,
      cpuPercentOfOneCore: ((used.user + used.system) / 1e6 / elapsed) * 100,
      cpuMicrosecondsPerPoll: (used.user + used.system) / Math.max(1, ok),
      rssBytes: rss,
    };
  } finally {
    floor.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      shufflers: { type: 'string', default: '64' },
      'per-gateway': { type: 'string', default: '8' },
      seconds: { type: 'string', default: '10' },
      'interval-ms': { type: 'string', default: '100' },
    },
  });
  const f = await benchShufflerPolling({
    shufflers: Number(values.shufflers),
    perGateway: Number(values['per-gateway']),
    seconds: Number(values.seconds),
    intervalMs: Number(values['interval-ms']),
  });
  console.log(
    `ShufflerMonitor: ${f.shufflers} shufflers on ${f.gateways} Modbus TCP gateways, status every ${f.intervalMs} ms`,
  );
  console.log(
    `  polls/s        ${f.okPollsPerSecond.toFixed(1)} ok (target ${f.targetPollsPerSecond.toFixed(0)}), ${f.failedPollsPerSecond.toFixed(1)} failed, ${f.skippedPollsPerSecond.toFixed(1)} skipped (busy/backoff)`,
  );
  console.log(`  requests/s     ${f.modbusRequestsPerSecond.toFixed(1)} Modbus requests (merged reads)`);
  console.log(`  telemetry/s    ${f.telemetryPerSecond.toFixed(1)} published by exception`);
  console.log(
    `  CPU            ${f.cpuPercentOfOneCore.toFixed(1)} % of one core (${f.cpuMicrosecondsPerPoll.toFixed(0)} µs per poll)`,
  );
  console.log(`  RSS            ${(f.rssBytes / 1e6).toFixed(1)} MB`);

  const predictor = spawn(
    tsx,
    [fileURLToPath(new URL('../../failure-predictor/bench/inference.ts', import.meta.url)), String(f.shufflers)],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  await new Promise((resolve) => predictor.once('exit', resolve));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
