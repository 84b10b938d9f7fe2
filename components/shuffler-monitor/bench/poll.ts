/**
 * Benchmark: ShufflerMonitor polling N simulated shufflers over Modbus TCP, then FailurePredictor
 * inference. Prints polls per second, Modbus requests per second, CPU and RSS of the monitor (the
 * simulators run in a child process), and the predictor's inference latency and RSS (its own child).
 *
 *   npx tsx components/shuffler-monitor/bench/poll.ts [--shufflers 64] [--per-gateway 8] [--seconds 10] [--interval-ms 100]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MonitorConfig } from '../src/config.js';
import { ShufflerMonitor } from '../src/shuffler-monitor.js';
import { defaultConfiguration } from '../test/support/recipe.js';

const { values } = parseArgs({
  options: {
    shufflers: { type: 'string', default: '64' },
    'per-gateway': { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    'interval-ms': { type: 'string', default: '100' },
  },
});
const shufflers = Number(values.shufflers);
const perGateway = Number(values['per-gateway']);
const seconds = Number(values.seconds);
const intervalMs = Number(values['interval-ms']);

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const floor = spawn(
  tsx,
  [fileURLToPath(new URL('./simulated-floor.ts', import.meta.url)), String(shufflers), String(perGateway)],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
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
floor.kill('SIGTERM');

const target = (shufflers * 1_000) / intervalMs;
console.log(
  `ShufflerMonitor: ${shufflers} shufflers on ${gateways.length} Modbus TCP gateways, status every ${intervalMs} ms`,
);
console.log(
  `  polls/s        ${(ok / elapsed).toFixed(1)} ok (target ${target.toFixed(0)}), ${(failed / elapsed).toFixed(1)} failed, ${(skipped / elapsed).toFixed(1)} skipped (busy/backoff)`,
);
console.log(`  requests/s     ${(requests / elapsed).toFixed(1)} Modbus requests (merged reads)`);
console.log(`  telemetry/s    ${(published / elapsed).toFixed(1)} published by exception`);
console.log(
  `  CPU            ${(((used.user + used.system) / 1e6 / elapsed) * 100).toFixed(1)} % of one core (${((used.user + used.system) / Math.max(1, ok)).toFixed(0)} µs per poll)`,
);
console.log(`  RSS            ${(rss / 1e6).toFixed(1)} MB`);

const predictor = spawn(
  tsx,
  [fileURLToPath(new URL('../../failure-predictor/bench/inference.ts', import.meta.url)), String(shufflers)],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
await new Promise((resolve) => predictor.once('exit', resolve));
