/**
 * A live shuffler floor: the scenario's fleet as simulated devices on one simulated clock, served over
 * a Modbus TCP gateway and/or RTU serial lines, with scheduled communication faults.
 */
import { createRng } from '../random/rng.js';
import { type SimClock, scaledClock } from './clock.js';
import { type CommFaults, HEALTHY } from './comm-faults.js';
import { type DeviceEvent, SimulatedShuffler } from './device.js';
import { buildFleet } from './fleet.js';
import { shufflerRandom } from './model.js';
import type { ShufflerScenario } from './scenario.js';
import { type ShufflerSerialServer, startShufflerSerialServer } from './serial-server.js';
import { type ShufflerTcpServer, startShufflerTcpServer } from './tcp-server.js';

/** How often the floor steps every device even when nobody polls, real milliseconds. */
const TICK_MS = 1_000;

export interface ShufflerFloor {
  readonly clock: SimClock;
  readonly units: ReadonlyMap<number, SimulatedShuffler>;
  readonly tcp: ShufflerTcpServer | null;
  readonly serial: readonly ShufflerSerialServer[];
  stop(): Promise<void>;
}

export interface ShufflerFloorOptions {
  /** Ground truth as it happens: failures and services. */
  readonly onEvent?: (event: DeviceEvent) => void;
  /** A scheduled fault switched on or off. */
  readonly onFault?: (unitId: number, faults: CommFaults) => void;
  /** Overrides the scenario's simulated start (ms); defaults to it, else to now. */
  readonly startMs?: number;
}

/** Starts the floor a scenario describes and resolves once every endpoint listens. */
export async function startShufflerFloor(
  scenario: ShufflerScenario,
  options: ShufflerFloorOptions = {},
): Promise<ShufflerFloor> {
  const { live } = scenario;
  const clock = scaledClock({ startMs: options.startMs ?? live.start ?? Date.now(), timeScale: live.timeScale });
  const root = createRng(scenario.seed);
  const units = new Map<number, SimulatedShuffler>();
  for (const { unitId, config } of buildFleet(scenario, root)) {
    units.set(
      unitId,
      new SimulatedShuffler({
        config,
        random: shufflerRandom(root, config.deviceId),
        clock,
        stepSeconds: live.stepSeconds,
        onEvent: options.onEvent,
      }),
    );
  }
  const timers: NodeJS.Timeout[] = [];
  const tick = setInterval(() => {
    for (const device of units.values()) device.advance();
  }, TICK_MS);
  tick.unref();
  timers.push(tick);
  for (const fault of live.faults) {
    const device = units.get(fault.unitId)!;
    const { offline, delayMs, exceptionCode, corruptFrames } = fault;
    const switchOn = () => {
      device.setFaults({ offline, delayMs, exceptionCode, corruptFrames });
      options.onFault?.(fault.unitId, device.faults);
    };
    // A fault from second 0 must be there for the very first request, not one timer turn later.
    if (fault.fromSeconds === 0) switchOn();
    else timers.push(setTimeout(switchOn, fault.fromSeconds * 1000));
    if (fault.untilSeconds !== undefined) {
      timers.push(
        setTimeout(() => {
          device.setFaults(HEALTHY);
          options.onFault?.(fault.unitId, device.faults);
        }, fault.untilSeconds * 1000),
      );
    }
  }
  const stopTimers = () => {
    for (const timer of timers) clearTimeout(timer);
  };
  const started: { tcp: ShufflerTcpServer | null; serial: ShufflerSerialServer[] } = { tcp: null, serial: [] };
  const stop = async () => {
    stopTimers();
    await Promise.all([started.tcp?.close(), ...started.serial.map((s) => s.close())]);
  };
  try {
    if (live.tcp) started.tcp = await startShufflerTcpServer({ units, host: live.tcp.host, port: live.tcp.port });
    for (const line of live.serial) {
      const lineUnits = new Map(line.units.map((u) => [u, units.get(u)!] as const));
      started.serial.push(
        await startShufflerSerialServer({ units: lineUnits, path: line.path, baudRate: line.baudRate }),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { clock, units, tcp: started.tcp, serial: started.serial, stop };
}
