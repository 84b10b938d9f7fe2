import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ShufflerGame } from '@croupier/contracts';
import modbusSerial from 'modbus-serial';
import { createRng } from '../../src/random/rng.js';
import type { SimClock } from '../../src/shuffler/clock.js';
import { SimulatedShuffler } from '../../src/shuffler/device.js';
import { GAME_PROFILES } from '../../src/shuffler/games.js';
import { type FailurePolicy, hoursSinceService, shufflerRandom } from '../../src/shuffler/model.js';
import {
  type DecodedValue,
  decodeRegisterBlock,
  FIRMWARE_VERSION,
  OVER_TEMPERATURE_CELSIUS,
  PROFILE_VERSION,
  pointsOf,
  type ShufflerView,
  tableSize,
} from '../../src/shuffler/register-map.js';

// modbus-serial is CommonJS: its default import is the client class itself, while its typings describe an
// ES module whose `default` is that class.
export const ModbusRTU = modbusSerial as unknown as typeof modbusSerial.default;
export type ModbusRTU = InstanceType<typeof ModbusRTU>;

export const TEST_POLICY: FailurePolicy = {
  meanHoursBetweenFailures: 400,
  mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
  noPrecursorShare: 0.2,
  preventiveServiceHours: 720,
};

export function makeShuffler(options: {
  deviceId: string;
  serialNumber: string;
  game: ShufflerGame;
  clock: SimClock;
  seed?: number;
}): SimulatedShuffler {
  const config = {
    deviceId: options.deviceId,
    serialNumber: options.serialNumber,
    game: options.game,
    failure: TEST_POLICY,
  };
  return new SimulatedShuffler({
    config,
    random: shufflerRandom(createRng(options.seed ?? 7), config.deviceId),
    clock: options.clock,
    stepSeconds: 60,
  });
}

/** Everything the profile exposes, read over the wire with one block read per table and decoded. */
export async function readWholeProfile(client: ModbusRTU): Promise<Record<string, DecodedValue | boolean>> {
  const input = await client.readInputRegisters(0, tableSize('input_register'));
  const holding = await client.readHoldingRegisters(0, tableSize('holding_register'));
  const coils = await client.readCoils(0, tableSize('coil'));
  const discretes = await client.readDiscreteInputs(0, tableSize('discrete_input'));
  const out: Record<string, DecodedValue | boolean> = {
    ...decodeRegisterBlock('input_register', 0, input.data),
    ...decodeRegisterBlock('holding_register', 0, holding.data),
  };
  for (const point of pointsOf('coil')) out[point.name] = coils.data[point.address] as boolean;
  for (const point of pointsOf('discrete_input')) out[point.name] = discretes.data[point.address] as boolean;
  return out;
}

/**
 * What each point must mean, written from the profile document and the model state, not from the
 * register table's read functions. `tolerance` is the documented resolution of each number.
 */
export function expectedMeaning(
  view: ShufflerView,
): Record<string, { value: DecodedValue | boolean; tolerance?: number }> {
  const s = view.state;
  const fault = s.condition === 'failed' || s.condition === 'jammed';
  const inService = s.condition === 'service' || s.serviceMode;
  const operatingState = fault ? 'fault' : inService ? 'service' : s.motorRunning ? 'shuffling' : 'idle';
  const opticalFailed = s.condition === 'failed' && s.plan.mode === 'optical_sensor_fault';
  const float = (v: number) => ({ value: v, tolerance: Math.abs(v) * 1e-6 + 1e-6 });
  return {
    statusWord: {
      value: {
        ready: !fault && !inService,
        motorRunning: s.motorRunning,
        faultActive: s.faultCode !== 'none',
        inService,
        jamPresent: s.faultCode === 'jam',
        doorOpen: inService,
        overTemperature: s.temperatureCelsius >= OVER_TEMPERATURE_CELSIUS,
        motorCurrentHigh: s.motorCurrentAmps > view.settings.motorCurrentAlarmAmps,
      },
    },
    operatingState: { value: operatingState },
    faultCode: { value: s.faultCode },
    sensorStatus: {
      value: {
        inputTrayOptical: s.opticalSignalPercent >= 60,
        outputTrayOptical: !opticalFailed,
        cardCounter: !opticalFailed && s.opticalSignalPercent >= 50,
        doorClosed: !inService,
      },
    },
    shufflesTotal: { value: s.shufflesTotal },
    misfeedsTotal: { value: s.misfeedsTotal },
    jamsTotal: { value: s.jamsTotal },
    cardCountErrorsTotal: { value: s.cardCountErrorsTotal },
    shufflesPerHour: { value: s.shufflesPerHour, tolerance: 0.05 + 1e-9 },
    cycleTimeSeconds: { value: s.cycleTimeSeconds, tolerance: 0.005 + 1e-9 },
    motorCurrentAmps: float(s.motorCurrentAmps),
    temperatureCelsius: float(s.temperatureCelsius),
    hoursSinceService: float(hoursSinceService(s)),
    opticalSignalPercent: { value: s.opticalSignalPercent, tolerance: 0.05 + 1e-9 },
    lastCardCount: { value: s.lastCardCount },
    cardsFedSinceService: { value: s.cardsFedSinceService },
    motorRunSeconds: { value: s.motorRunSeconds },
    profileVersion: { value: PROFILE_VERSION },
    serialNumber: { value: view.config.serialNumber },
    game: { value: view.config.game },
    decks: { value: GAME_PROFILES[view.config.game].decks },
    firmwareVersion: { value: FIRMWARE_VERSION / 100, tolerance: 1e-9 },
    deviceTime: { value: Math.floor(s.timeMs / 1000) },
    motorCurrentAlarmAmps: float(view.settings.motorCurrentAlarmAmps),
    serviceMode: { value: s.serviceMode },
    resetCounters: { value: false },
    serviceComplete: { value: false },
    motorRunning: { value: s.motorRunning },
    doorOpen: { value: inService },
    jamPresent: { value: s.faultCode === 'jam' },
    serviceModeActive: { value: inService },
    faultActive: { value: s.faultCode !== 'none' },
    opticalSensorFault: { value: s.opticalSignalPercent < 60 || opticalFailed },
    overTemperature: { value: s.temperatureCelsius >= OVER_TEMPERATURE_CELSIUS },
  };
}

/** A Modbus TCP client on a unit, with a short timeout so offline devices fail fast. */
export async function tcpClient(port: number, unitId: number, timeoutMs = 1_000): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(unitId);
  client.setTimeout(timeoutMs);
  return client;
}

export function closeClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => client.close(() => resolve()));
}

/** The rejection of a promise, or a failure if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { modbusCode?: number; errno?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { modbusCode?: number };
  }
  throw new Error('expected the request to fail, but it succeeded');
}

/** Whether socat is installed; the RTU tests need it for a pseudo-terminal pair. */
export function socatPath(): string | undefined {
  return ['/usr/bin/socat', '/usr/local/bin/socat', '/bin/socat'].find((p) => existsSync(p));
}

/** A connected pseudo-terminal pair from `socat -d -d pty,raw,echo=0 pty,raw,echo=0`. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  close(): Promise<void>;
}

export async function openPtyPair(socat: string): Promise<PtyPair> {
  const child: ChildProcess = spawn(socat, ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const paths = await new Promise<string[]>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`socat did not report its ptys: ${text}`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = [...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string);
      if (found.length === 2 && /starting data transfer loop/.test(text)) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${text}`)));
  });
  return {
    a: paths[0] as string,
    b: paths[1] as string,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
