/**
 * How many shufflers one core simulates in real time.
 *
 *   npx tsx simulators/bench/shuffler.ts [--seconds 2]
 *
 * 1. Model: steps per second of one device's physical model, against the real-time need of one
 *    shuffler (timeScale / stepSeconds steps per second).
 * 2. Modbus: requests per second a TCP gateway of 32 shufflers answers (block reads of the input
 *    registers), with 8 concurrent clients in the same process, so the figure is a lower bound: the
 *    clients' work is on the same core. A collector polling every table once a second needs 4 requests
 *    per shuffler per second.
 */
import { parseArgs } from 'node:util';
import modbusSerial from 'modbus-serial';
import { createRng } from '../src/random/rng.js';
import { manualClock } from '../src/shuffler/clock.js';
import { SimulatedShuffler } from '../src/shuffler/device.js';
import { type FailurePolicy, initialShufflerState, shufflerRandom, stepShuffler } from '../src/shuffler/model.js';
import { registerImage, tableSize } from '../src/shuffler/register-map.js';
import { startShufflerTcpServer } from '../src/shuffler/tcp-server.js';

const ModbusRTU = modbusSerial as unknown as typeof modbusSerial.default;

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const policy: FailurePolicy = {
  meanHoursBetweenFailures: 200,
  mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
  noPrecursorShare: 0.15,
  preventiveServiceHours: 720,
};
const config = { deviceId: 'bench', serialNumber: 'CRP-BENCH', game: 'blackjack' as const, failure: policy };

function modelStepsPerSecond(stepSeconds: number): number {
  const random = shufflerRandom(createRng('bench'), config.deviceId);
  let state = initialShufflerState(config, random, Date.UTC(2026, 0, 1));
  let steps = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 1_000; i += 1) state = stepShuffler(config, state, stepSeconds, random).state;
    steps += 1_000;
  }
  return steps / ((performance.now() - started) / 1000);
}

function registerImagesPerSecond(): number {
  const random = shufflerRandom(createRng('bench'), config.deviceId);
  const view = {
    config,
    state: initialShufflerState(config, random, Date.UTC(2026, 0, 1)),
    settings: { motorCurrentAlarmAmps: 1.5 },
  };
  let n = 0;
  const started = performance.now();
  while (performance.now() < started + seconds * 500) {
    for (let i = 0; i < 1_000; i += 1) registerImage('input_register', view);
    n += 1_000;
  }
  return n / ((performance.now() - started) / 1000);
}

async function modbusRequestsPerSecond(unitCount: number, clientCount: number): Promise<number> {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const units = new Map(
    Array.from({ length: unitCount }, (_, i) => {
      const cfg = { ...config, deviceId: `bench-${i + 1}` };
      return [
        i + 1,
        new SimulatedShuffler({
          config: cfg,
          random: shufflerRandom(createRng('bench'), cfg.deviceId),
          clock,
          stepSeconds: 1,
        }),
      ] as const;
    }),
  );
  const server = await startShufflerTcpServer({ units, port: 0 });
  const clients = await Promise.all(
    Array.from({ length: clientCount }, async () => {
      const client = new ModbusRTU();
      await client.connectTCP('127.0.0.1', { port: server.port });
      client.setTimeout(5_000);
      return client;
    }),
  );
  const size = tableSize('input_register');
  let requests = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client, c) => {
      let unit = c;
      while (performance.now() < until) {
        client.setID((unit % unitCount) + 1);
        unit += 1;
        clock.advance(50);
        await client.readInputRegisters(0, size);
        requests += 1;
      }
    }),
  );
  const rate = requests / ((performance.now() - started) / 1000);
  await Promise.all(clients.map((client) => new Promise<void>((resolve) => client.close(() => resolve()))));
  await server.close();
  return rate;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const live = modelStepsPerSecond(1);
const history = modelStepsPerSecond(60);
const images = registerImagesPerSecond();
const modbus = await modbusRequestsPerSecond(32, 8);

console.log(`shuffler bench (one core, ${seconds} s per figure, node ${process.version})`);
console.log(
  `model, 1 s steps:   ${fmt(live)} steps/s -> ${fmt(live)} shufflers in real time (timeScale 1), ${fmt(live / 60)} at timeScale 60`,
);
console.log(
  `model, 60 s steps:  ${fmt(history)} steps/s -> ${fmt(history * 60)} simulated shuffler-seconds per second (history)`,
);
console.log(`register image:     ${fmt(images)} input-register images/s`);
console.log(`Modbus TCP:         ${fmt(modbus)} requests/s (26-register reads, 32 units, 8 clients in-process)`);
console.log(`                    -> ${fmt(modbus / 4)} shufflers polled every table once a second`);
console.log(
  `real time, per core: ~${fmt(Math.min(live, modbus / 4))} shufflers (the lower of the model and Modbus figures)`,
);
