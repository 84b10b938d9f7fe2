/**
 * Benchmark helper, run as a child process so its CPU is not counted against ShufflerMonitor: serves
 * `shufflers` simulated shufflers over Modbus TCP, `perGateway` unit ids behind each endpoint (as behind
 * serial-to-Ethernet gateways), and prints the endpoints as one JSON line.
 *
 *   npx tsx components/shuffler-monitor/bench/simulated-floor.ts <shufflers> <perGateway>
 */
import {
  createRng,
  SimulatedShuffler,
  scaledClock,
  shufflerRandom,
  startShufflerTcpServer,
} from '@croupier/simulators';

const [shufflers = 64, perGateway = 8] = process.argv.slice(2).map(Number);
const clock = scaledClock({ startMs: Date.UTC(2026, 10, 21), timeScale: 60 });
const fleet = createRng(2026);
const games = ['blackjack', 'baccarat', 'poker'] as const;
const gateways: { host: string; port: number; units: number }[] = [];
const servers: { close(): Promise<void> }[] = [];
for (let first = 1; first <= shufflers; first += perGateway) {
  const units = new Map<number, SimulatedShuffler>();
  for (let unit = 1; unit <= Math.min(perGateway, shufflers - first + 1); unit += 1) {
    const deviceId = `bench-${first + unit - 1}`;
    const config = {
      deviceId,
      serialNumber: `BN-${String(first + unit - 1).padStart(6, '0')}`,
      game: games[(first + unit) % 3]!,
      failure: {
        meanHoursBetweenFailures: 400,
        mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
        noPrecursorShare: 0.2,
        preventiveServiceHours: 720,
      },
    };
    units.set(unit, new SimulatedShuffler({ config, random: shufflerRandom(fleet, deviceId), clock, stepSeconds: 60 }));
  }
  const server = await startShufflerTcpServer({ units, port: 0 });
  servers.push(server);
  gateways.push({ host: server.host, port: server.port, units: units.size });
}
process.stdout.write(`${JSON.stringify({ gateways })}\n`);
process.once('SIGTERM', () => {
  Promise.all(servers.map((s) => s.close())).finally(() => process.exit(0));
});
