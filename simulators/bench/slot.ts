/**
 * How many slot machines one core simulates in real time: `npx tsx simulators/bench/slot.ts`.
 *
 * 1. The pure model: CPU time to simulate a 100-machine floor for three days.
 * 2. With MQTT: SMIBs over mTLS publishing every event with QoS 1 to a local aedes broker running in a
 *    child process (its CPU is not counted), the floor played as fast as it can go.
 * 3. Connecting the fleet with the process-wide native bootstrap shared versus one per SMIB.
 *
 * "Machines in real time" = simulated machine-seconds per CPU-second of this process (all its
 * threads, native MQTT ones included). A machine is busy only part of the day, so the figure is for
 * the floor's own occupancy, printed beside it, and also scaled to a machine played non-stop.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createCertificateAuthority, issueCertificate } from '@croupier/certs-tooling';
import { createSlotFloorModel, type SlotFloorModel, SlotFloorSimulation } from '../src/slot/floor-simulation.js';
import { runLiveFloor } from '../src/slot/live-floor.js';
import { SlotFloorModelConfig } from '../src/slot/scenario.js';
import { SimulatedClock } from '../src/slot/simulated-clock.js';
import { SmibFleet } from '../src/slot/smib-fleet.js';

const KEY = new Uint8Array(32).fill(42);
const START = Date.parse('2026-11-20T16:00:00Z');
const HOUR = 3_600_000;

function floor(machinesPerBank: number, banks: number, players: number): SlotFloorModel {
  return createSlotFloorModel(
    SlotFloorModelConfig.parse({
      seed: 'bench',
      property: { propertyId: 'bench', timeZone: 'America/Los_Angeles' },
      floor: {
        zones: [
          {
            zoneId: 'main',
            banks,
            machinesPerBank,
            games: { 'penny-video': 4, 'nickel-video': 1, 'quarter-reels': 1, 'dollar-reels': 1, 'video-poker': 1 },
          },
        ],
      },
      players: { count: players, tripsPerMonthMedian: 6 },
    }),
    KEY,
  );
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

function occupancy(sim: SlotFloorSimulation, machines: number, hours: number): number {
  const busy = sim.truth.sessions.reduce((s, x) => s + (x.endedAt - x.startedAt), 0);
  return busy / (machines * hours * HOUR);
}

function report(label: string, machines: number, hours: number, cpu: number, events: number, occ: number) {
  const realTime = (machines * hours * 3_600) / cpu;
  console.log(
    `${label}: ${events} events in ${cpu.toFixed(2)} CPU-s = ${Math.round(events / cpu)} events/CPU-s; ` +
      `occupancy ${(occ * 100).toFixed(1)}% → ${Math.round(realTime)} machines in real time per core ` +
      `(${Math.round(realTime * occ)} if every machine were played non-stop)`,
  );
}

// 1. Pure model.
{
  const model = floor(10, 10, 2_000);
  const hours = 72;
  const sim = new SlotFloorSimulation(model, { startMs: START, endMs: START + hours * HOUR });
  const cpu0 = process.cpuUsage();
  let events = 0;
  for (const _ of sim.events()) events += 1;
  const cpu = cpuSeconds(cpu0);
  report('pure model   ', model.machines.length, hours, cpu, events, occupancy(sim, model.machines.length, hours));
}

// 2 and 3. With MQTT to aedes in a child process.
const ca = await createCertificateAuthority({ commonName: 'Croupier Bench CA' });
const child = spawn(process.execPath, ['--import', 'tsx', new URL('./slot-broker.ts', import.meta.url).pathname], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
child.stdin.write(`${JSON.stringify(ca)}\n`);
const lines = createInterface({ input: child.stdout });
const { port } = JSON.parse(await new Promise<string>((resolve) => lines.once('line', resolve))) as { port: number };

try {
  const model = floor(10, 4, 800);
  const ids = model.machines.map((m) => m.identity.machineId);
  const credentials = new Map(
    await Promise.all(
      ids.map(async (id) => [id, await issueCertificate(ca, { commonName: id, usage: 'client' })] as const),
    ),
  );
  const connect = async (isolatedBootstraps: boolean) => {
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const fleet = await SmibFleet.connect({
      machineIds: ids,
      host: '127.0.0.1',
      port,
      caPem: ca.certPem,
      credentialsFor: async (id) => credentials.get(id) as { certPem: string; keyPem: string },
      simTimeFor: (wall) => wall,
      isolatedBootstraps,
    });
    console.log(
      `connect ${ids.length} SMIBs, ${isolatedBootstraps ? 'one bootstrap each ' : 'shared bootstrap   '}: ` +
        `${(performance.now() - wall0).toFixed(0)} ms wall, ${cpuSeconds(cpu0).toFixed(2)} CPU-s`,
    );
    return fleet;
  };
  await (await connect(true)).close();
  const fleet = await connect(false);
  const hours = 6;
  const sim = new SlotFloorSimulation(model, { startMs: START, endMs: START + hours * HOUR });
  const cpu0 = process.cpuUsage();
  const stats = await runLiveFloor({
    simulation: sim,
    clock: new SimulatedClock(START, Date.now(), 1e9),
    publisher: { publish: (id, event) => fleet.get(id).publish(event) },
  });
  const cpu = cpuSeconds(cpu0);
  report('MQTT publish ', ids.length, hours, cpu, stats.acknowledged, occupancy(sim, ids.length, hours));
  if (stats.failed > 0) console.log(`${stats.failed} publishes failed, e.g. ${stats.failures[0]?.error}`);
  await fleet.close();
} finally {
  child.stdin.end();
}
