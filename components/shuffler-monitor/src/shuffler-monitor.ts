import type { ShufflerTelemetry } from '@croupier/contracts';
import type { MonitorConfig } from './config.js';
import { DevicePoller, type PollOutcome } from './device-poller.js';
import { type BusTransaction, ModbusBus } from './modbus-bus.js';
import { firstDue, nextDue } from './poll-schedule.js';

/** Where ShufflerMonitor's output goes: the component wires this to its transport. */
export interface MonitorSink {
  telemetry(event: ShufflerTelemetry): void;
  rejected(deviceId: string, reason: string): void;
  /** Every poll outcome; used for metrics and by tests to observe cadence. */
  polled?(deviceId: string, group: string, outcome: PollOutcome): void;
}

/** Clock and randomness, injectable for tests. */
export interface MonitorRuntime {
  readonly now: () => number;
  readonly random: () => number;
  readonly busObserver?: (busId: string, transaction: BusTransaction) => void;
}

const sameDefinition = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Runs the polling of every configured shuffler. `apply` takes a validated configuration and changes the
 * poll map live: buses whose definition did not change keep their connection, devices keep their
 * report-by-exception baseline, and everything else is rebuilt.
 */
export class ShufflerMonitor {
  private readonly buses = new Map<string, ModbusBus>();
  private pollers = new Map<string, DevicePoller>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly counters = { published: 0, rejected: 0, pollsOk: 0, pollsFailed: 0, pollsSkipped: 0 };

  constructor(
    private readonly sink: MonitorSink,
    private readonly runtime: MonitorRuntime = { now: Date.now, random: Math.random },
  ) {}

  /** Replaces the running poll map with `config`. */
  async apply(config: MonitorConfig): Promise<void> {
    this.stopTimers();
    for (const [id, bus] of this.buses) {
      if (!sameDefinition(bus.definition, config.buses[id])) {
        this.buses.delete(id);
        await bus.close();
      }
    }
    for (const [id, definition] of Object.entries(config.buses)) {
      if (this.buses.has(id)) continue;
      const observer = this.runtime.busObserver;
      this.buses.set(id, new ModbusBus(id, definition, observer && ((t) => observer(id, t))));
    }
    const previous = this.pollers;
    this.pollers = new Map();
    for (const device of config.devices.filter((d) => d.enabled)) {
      const map = config.registerMaps[device.registerMap]!;
      const poller = new DevicePoller(
        device,
        map,
        this.buses.get(device.bus)!,
        config,
        this.pollerSink(),
        this.runtime.now,
      );
      const old = previous.get(device.deviceId);
      if (old && sameDefinition(old.map, map)) poller.inherit(old);
      this.pollers.set(device.deviceId, poller);
    }
    for (const old of previous.values()) old.retire();
    this.startTimers();
  }

  /** Stops polling and closes every bus. */
  async stop(): Promise<void> {
    this.stopTimers();
    for (const poller of this.pollers.values()) poller.retire();
    this.pollers.clear();
    await Promise.all([...this.buses.values()].map((b) => b.close()));
    this.buses.clear();
  }

  /** The poller of a device, for metrics and tests. */
  poller(deviceId: string): DevicePoller | undefined {
    return this.pollers.get(deviceId);
  }

  /** Gauges and counters for the component's health event. */
  metrics(): Record<string, number> {
    let backoff = 0;
    for (const p of this.pollers.values()) if (p.linkState.status === 'backoff') backoff += 1;
    let timeouts = 0;
    for (const b of this.buses.values()) timeouts += b.stats.timeouts;
    return {
      'devices.configured': this.pollers.size,
      'devices.backoff': backoff,
      'telemetry.published': this.counters.published,
      'telemetry.rejected': this.counters.rejected,
      'polls.ok': this.counters.pollsOk,
      'polls.failed': this.counters.pollsFailed,
      'polls.skipped': this.counters.pollsSkipped,
      'modbus.timeouts': timeouts,
    };
  }

  private pollerSink() {
    return {
      telemetry: (event: ShufflerTelemetry) => {
        this.counters.published += 1;
        this.sink.telemetry(event);
      },
      rejected: (deviceId: string, reason: string) => {
        this.counters.rejected += 1;
        this.sink.rejected(deviceId, reason);
      },
      polled: (deviceId: string, group: string, outcome: PollOutcome) => {
        if (outcome === 'ok') this.counters.pollsOk += 1;
        else if (outcome === 'failed') this.counters.pollsFailed += 1;
        else this.counters.pollsSkipped += 1;
        this.sink.polled?.(deviceId, group, outcome);
      },
    };
  }

  private startTimers(): void {
    const startedAt = this.runtime.now();
    for (const poller of this.pollers.values()) {
      for (const group of poller.map.groups) {
        const first = firstDue(startedAt, group.jitterMs, this.runtime.random);
        const arm = (due: number) => {
          const timer = setTimeout(
            () => {
              void poller.poll(group.name);
              arm(nextDue(first, group.intervalMs, this.runtime.now()));
            },
            Math.max(0, due - this.runtime.now()),
          );
          this.timers.set(`${poller.device.deviceId}/${group.name}`, timer);
        };
        arm(first);
      }
    }
  }

  private stopTimers(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
