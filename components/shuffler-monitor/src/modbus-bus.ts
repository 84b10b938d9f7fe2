import modbusSerial from 'modbus-serial';
import type { BusDefinition } from './config.js';
import type { RawBlock } from './decode.js';
import type { PlannedRead } from './read-planner.js';

// modbus-serial is CommonJS: under Node ESM its default import is `module.exports`, the client class itself,
// while its typings describe an ES module whose `default` is that class.
const ModbusRTU = modbusSerial as unknown as typeof modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

/** Raised when a request gets no answer in time. */
export class ModbusTimeoutError extends Error {
  override readonly name = 'ModbusTimeoutError';
}

/**
 * One finished request, in execution order. `seq` numbers requests as they start; a request was
 * delayed by every request with `seq` in [`firstAhead`, its own `seq`).
 */
export interface BusTransaction {
  readonly seq: number;
  readonly firstAhead: number;
  readonly unitId: number;
  readonly ok: boolean;
}

/** Counters of one bus, for health metrics. */
export interface BusStats {
  requests: number;
  failures: number;
  timeouts: number;
  connects: number;
}

/**
 * The single owner of one Modbus line: a serial port, or a TCP connection to one endpoint. Requests
 * run one at a time in arrival order, which is what RS-485 master/slave framing requires and what most
 * shuffler controllers and gateways expect over TCP too. Many unit ids share one bus. Different buses
 * run concurrently, so a silent line only ever holds up its own queue.
 */
export class ModbusBus {
  readonly stats: BusStats = { requests: 0, failures: 0, timeouts: 0, connects: 0 };
  private client: ModbusRTU | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private started = 0;
  private running = false;

  /** `observer` sees every finished request; the benchmark and the isolation tests use it. */
  constructor(
    readonly id: string,
    readonly definition: BusDefinition,
    private readonly observer?: (transaction: BusTransaction) => void,
  ) {}

  /** Queues one read for `unitId`; resolves with the raw block or rejects after at most `timeoutMs` of its turn. */
  read(unitId: number, request: PlannedRead, timeoutMs: number): Promise<RawBlock> {
    const firstAhead = this.running ? this.started - 1 : this.started;
    const run = this.tail.then(async () => {
      const seq = this.started;
      this.started += 1;
      this.running = true;
      let ok = false;
      try {
        const block = await this.execute(unitId, request, timeoutMs);
        ok = true;
        return block;
      } finally {
        this.running = false;
        this.observer?.({ seq, firstAhead, unitId, ok });
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Closes the line; queued requests fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    await this.disconnect();
  }

  private async execute(unitId: number, request: PlannedRead, timeoutMs: number): Promise<RawBlock> {
    if (this.closed) throw new Error(`bus ${this.id} is closed`);
    this.stats.requests += 1;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ModbusTimeoutError(`bus ${this.id} unit ${unitId}: no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.transact(unitId, request, timeoutMs), deadline]);
    } catch (error) {
      this.stats.failures += 1;
      const timedOut = error instanceof ModbusTimeoutError || (error instanceof Error && error.message === 'Timed out');
      if (timedOut) this.stats.timeouts += 1;
      // A late answer to a timed-out request is discarded by transaction id (TCP) or frame matching (RTU),
      // so only a line that actually closed is reopened: a silent unit behind a gateway must not cost
      // its neighbours a reconnect.
      if (!this.client?.isOpen) await this.disconnect();
      throw timedOut && !(error instanceof ModbusTimeoutError)
        ? new ModbusTimeoutError(`bus ${this.id} unit ${unitId}: timed out`)
        : error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async transact(unitId: number, request: PlannedRead, timeoutMs: number): Promise<RawBlock> {
    const client = await this.connected(timeoutMs);
    client.setID(unitId);
    client.setTimeout(timeoutMs);
    switch (request.table) {
      case 'holding':
        return { kind: 'registers', data: (await client.readHoldingRegisters(request.address, request.count)).data };
      case 'input':
        return { kind: 'registers', data: (await client.readInputRegisters(request.address, request.count)).data };
      case 'coil':
        return {
          kind: 'bits',
          data: (await client.readCoils(request.address, request.count)).data.slice(0, request.count),
        };
      case 'discrete':
        return {
          kind: 'bits',
          data: (await client.readDiscreteInputs(request.address, request.count)).data.slice(0, request.count),
        };
    }
  }

  private async connected(timeoutMs: number): Promise<ModbusRTU> {
    if (this.client?.isOpen) return this.client;
    await this.disconnect();
    const client = new ModbusRTU();
    // The library reports socket and port errors as events too; the failed request carries them.
    client.on('error', () => undefined);
    this.client = client;
    this.stats.connects += 1;
    const def = this.definition;
    if (def.kind === 'tcp') {
      await client.connectTCP(def.host, { port: def.port, timeout: timeoutMs });
    } else {
      await client.connectRTUBuffered(def.path, {
        baudRate: def.baudRate,
        dataBits: def.dataBits,
        parity: def.parity,
        stopBits: def.stopBits,
      });
    }
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      try {
        client.close(() => resolve());
      } catch {
        resolve();
      }
      // A half-open socket may never call back; the bus must not hang on it.
      setTimeout(resolve, 200).unref();
    });
  }
}
