import type { SimClock } from './clock.js';
import { type CommFaults, HEALTHY, MODBUS_EXCEPTIONS } from './comm-faults.js';
import {
  completeService,
  initialShufflerState,
  resetCounters,
  type ShufflerConfig,
  type ShufflerModelEvent,
  type ShufflerRandom,
  type ShufflerState,
  setServiceMode,
  stepShuffler,
} from './model.js';
import {
  decodeWords,
  defaultShufflerSettings,
  encodeWords,
  pointsOf,
  pointWidth,
  type RegisterPoint,
  type ShufflerSettings,
  type ShufflerView,
} from './register-map.js';

/** An error that modbus-serial's server turns into a Modbus exception response with this code. */
export class ModbusException extends Error {
  override readonly name = 'ModbusException';
  constructor(
    readonly modbusErrorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Ground truth from a live device, with its id. */
export interface DeviceEvent {
  readonly deviceId: string;
  readonly event: ShufflerModelEvent;
}

export interface SimulatedShufflerOptions {
  readonly config: ShufflerConfig;
  readonly random: ShufflerRandom;
  readonly clock: SimClock;
  /** Model step in simulated seconds; the state at a time does not depend on when it is read. */
  readonly stepSeconds: number;
  readonly onEvent?: (event: DeviceEvent) => void;
}

/**
 * One live simulated shuffler: the physical model stepped to the simulated clock on demand, the
 * settings a client can write, and the communication faults currently injected. It knows nothing of
 * Modbus transports; {@link createShufflerVector} exposes it.
 */
export class SimulatedShuffler {
  readonly config: ShufflerConfig;
  readonly #random: ShufflerRandom;
  readonly #clock: SimClock;
  readonly #stepMs: number;
  readonly #onEvent: ((event: DeviceEvent) => void) | undefined;
  #state: ShufflerState;
  #settings: ShufflerSettings;
  #faults: CommFaults = HEALTHY;
  readonly #events: ShufflerModelEvent[] = [];

  constructor(options: SimulatedShufflerOptions) {
    if (!(options.stepSeconds > 0)) throw new RangeError(`stepSeconds must be > 0, got ${options.stepSeconds}`);
    this.config = options.config;
    this.#random = options.random;
    this.#clock = options.clock;
    this.#stepMs = options.stepSeconds * 1000;
    this.#onEvent = options.onEvent;
    this.#state = initialShufflerState(options.config, options.random, Math.floor(options.clock.now()));
    this.#settings = defaultShufflerSettings(options.config);
  }

  /** Steps the model up to the clock's current time, in whole steps. */
  advance(): void {
    const now = this.#clock.now();
    while (this.#state.timeMs + this.#stepMs <= now) {
      const result = stepShuffler(this.config, this.#state, this.#stepMs / 1000, this.#random);
      this.#state = result.state;
      for (const event of result.events) this.#record(event);
    }
  }

  /** The device as a register read sees it now. */
  view(): ShufflerView {
    this.advance();
    return { config: this.config, state: this.#state, settings: this.#settings };
  }

  /** Ground truth so far: failures and services, in time order. */
  get events(): readonly ShufflerModelEvent[] {
    return this.#events;
  }

  get faults(): CommFaults {
    return this.#faults;
  }

  /** Changes the injected communication faults; fields left out keep their value. */
  setFaults(change: Partial<CommFaults>): void {
    this.#faults = { ...this.#faults, ...change };
  }

  /** Writes one coil (FC 05/15). */
  writeCoil(address: number, value: boolean): void {
    this.advance();
    switch (address) {
      case 0:
        this.#state = setServiceMode(this.#state, value);
        return;
      case 1:
        if (value) this.#state = resetCounters(this.#state);
        return;
      case 2:
        if (value) {
          const result = completeService(this.config, this.#state, this.#state.timeMs, this.#random);
          this.#state = result.state;
          for (const event of result.events) this.#record(event);
        }
        return;
      default:
        throw new ModbusException(MODBUS_EXCEPTIONS.illegalDataAddress, `no coil at ${address}`);
    }
  }

  /** Writes holding registers (FC 06/16). Only RW points accept writes; a half-written 32-bit value keeps its other word. */
  writeHoldingRegisters(start: number, words: readonly number[]): void {
    const view = this.view();
    const touched = pointsOf('holding_register').filter(
      (p) => p.address < start + words.length && p.address + pointWidth(p) > start,
    ) as RegisterPoint[];
    const covered = touched.reduce((n, p) => n + pointWidth(p), 0);
    if (touched.some((p) => p.access === 'R') || covered < words.length) {
      throw new ModbusException(
        MODBUS_EXCEPTIONS.illegalDataAddress,
        `holding registers ${start}+${words.length} are not writable`,
      );
    }
    let settings = this.#settings;
    for (const point of touched) {
      const current = encodeWords(point, point.read(view));
      const merged = current.map((word, i) => words[point.address + i - start] ?? word);
      const value = decodeWords(point, merged);
      if (point.name === 'motorCurrentAlarmAmps') {
        if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 50) {
          throw new ModbusException(MODBUS_EXCEPTIONS.illegalDataValue, `motor current alarm must be in (0, 50] A`);
        }
        settings = { ...settings, motorCurrentAlarmAmps: value };
      }
    }
    this.#settings = settings;
  }

  #record(event: ShufflerModelEvent): void {
    this.#events.push(event);
    this.#onEvent?.({ deviceId: this.config.deviceId, event });
  }
}
