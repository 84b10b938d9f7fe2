/**
 * Shuffler floor CLI: serves a scenario's fleet over Modbus until interrupted.
 *
 *   npx tsx simulators/src/shuffler/cli.ts --scenario simulators/scenarios/shuffler-floor-demo.json [--port 0]
 *
 * Prints one JSON line per happening on stdout: `listening` (endpoints and unit map), `event` (ground
 * truth failures and services, simulated time) and `fault` (scheduled comm faults switching).
 */
import { parseArgs } from 'node:util';
import { startShufflerFloor } from './floor.js';
import { loadShufflerScenario } from './scenario.js';

const USAGE = 'usage: tsx simulators/src/shuffler/cli.ts --scenario <scenario.json> [--port <tcp port, 0 = any free>]';

const emit = (record: object) => process.stdout.write(`${JSON.stringify(record)}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scenario: { type: 'string' }, port: { type: 'string' } }, strict: true });
  if (!values.scenario) throw new Error(USAGE);
  const scenario = await loadShufflerScenario(values.scenario);
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port: not a TCP port: ${values.port}`);
    scenario.live.tcp = { host: scenario.live.tcp?.host ?? '127.0.0.1', port };
  }
  const floor = await startShufflerFloor(scenario, {
    onEvent: ({ deviceId, event }) => emit({ kind: 'event', deviceId, ...event }),
    onFault: (unitId, faults) => emit({ kind: 'fault', unitId, ...faults }),
  });
  emit({
    kind: 'listening',
    scenario: scenario.name,
    tcp: floor.tcp ? { host: floor.tcp.host, port: floor.tcp.port } : null,
    serial: floor.serial.map((s) => s.path),
    timeScale: floor.clock.timeScale,
    simulatedStart: new Date(floor.clock.now()).toISOString(),
    units: [...floor.units].map(([unitId, d]) => ({
      unitId,
      deviceId: d.config.deviceId,
      game: d.config.game,
      serialNumber: d.config.serialNumber,
    })),
  });
  const shutdown = () => {
    floor.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
