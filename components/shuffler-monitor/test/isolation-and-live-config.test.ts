import type { ShufflerTelemetry } from '@croupier/contracts';
import { startShufflerSerialServer, startShufflerTcpServer } from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorConfig, MonitorConfigInput } from '../src/config.js';
import type { BusTransaction } from '../src/modbus-bus.js';
import { ShufflerMonitor } from '../src/shuffler-monitor.js';
import { openPtyPair, type PtyPair } from './support/pty-pair.js';
import { configWith, defaultConfiguration } from './support/recipe.js';
import { simulatedShufflers } from './support/simulated-fleet.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * The request timeout of these tests. It is real, and a healthy unit must never hit it: it has to outlast
 * a loaded machine (a request crosses socat and the simulator), not show how fast a silent unit is given up.
 */
const TIMEOUT_MS = 1_000;

/** The default map with fast test cadences: a status poll every 100 ms, identity every 500 ms. */
function fastMaps(statusIntervalMs = 100): MonitorConfigInput['registerMaps'] {
  const map = defaultConfiguration().registerMaps['croupier-shuffler-v1']!;
  return {
    'croupier-shuffler-v1': {
      ...map,
      groups: map.groups.map((g) => ({ ...g, intervalMs: g.name === 'status' ? statusIntervalMs : 500, jitterMs: 20 })),
    },
  };
}

interface Recorder {
  readonly polls: { deviceId: string; group: string; outcome: string }[];
  readonly telemetry: ShufflerTelemetry[];
  readonly transactions: Map<string, BusTransaction[]>;
}

function startMonitor(): { monitor: ShufflerMonitor; rec: Recorder } {
  const rec: Recorder = { polls: [], telemetry: [], transactions: new Map() };
  const monitor = new ShufflerMonitor(
    {
      telemetry: (e) => rec.telemetry.push(e),
      rejected: (deviceId, reason) => {
        throw new Error(`unexpected rejection for ${deviceId}: ${reason}`);
      },
      polled: (deviceId, group, outcome) => rec.polls.push({ deviceId, group, outcome }),
    },
    {
      now: Date.now,
      random: Math.random,
      busObserver: (busId, t) => {
        const list = rec.transactions.get(busId) ?? [];
        list.push(t);
        rec.transactions.set(busId, list);
      },
    },
  );
  return { monitor, rec };
}

const count = (rec: Recorder, deviceId: string, outcome: string) =>
  rec.polls.filter((p) => p.deviceId === deviceId && p.outcome === outcome).length;

/**
 * For each request of a healthy unit, the failed requests it had to wait behind. One silent unit may
 * cost a healthy request at most one timeout.
 */
function failedAheadOfHealthy(transactions: readonly BusTransaction[], deadUnit: number): number[] {
  const bySeq = new Map(transactions.map((t) => [t.seq, t]));
  return transactions
    .filter((t) => t.unitId !== deadUnit)
    .map((t) => {
      let failed = 0;
      for (let s = t.firstAhead; s < t.seq; s += 1) if (bySeq.get(s)?.ok === false) failed += 1;
      return failed;
    });
}

describe('GIVEN one silent shuffler among healthy ones on a shared RTU line', () => {
  const { units } = simulatedShufflers(3, 5);
  let pty: PtyPair;
  let server: Awaited<ReturnType<typeof startShufflerSerialServer>>;

  beforeAll(async () => {
    units.get(3)!.setFaults({ offline: true });
    pty = await openPtyPair();
    server = await startShufflerSerialServer({ units, path: pty.a, baudRate: 115_200 });
  });
  afterAll(async () => {
    await server.close();
    await pty.close();
  });

  it('WHEN polled for a while THEN healthy units keep their cadence and wait behind at most one timeout', async () => {
    const { monitor, rec } = startMonitor();
    const config: MonitorConfig = configWith({
      registerMaps: fastMaps(100),
      buses: { line: { kind: 'rtu', path: pty.b, baudRate: 115_200, parity: 'none' } },
      devices: [1, 2, 3].map((unitId) => ({
        deviceId: `shuffler-${unitId}`,
        bus: 'line',
        unitId,
        registerMap: 'croupier-shuffler-v1',
      })),
      timeoutMs: TIMEOUT_MS,
      retries: 1,
      backoff: { initialMs: 600, maxMs: 2_000, multiplier: 2 },
    });
    await monitor.apply(config);
    await until(() => count(rec, 'shuffler-3', 'failed') >= 2, 'two failed polls of the silent unit');
    await monitor.stop();

    const transactions = rec.transactions.get('line') ?? [];
    // The silent unit was tried, and every one of its requests failed.
    const dead = transactions.filter((t) => t.unitId === 3);
    expect(dead.length).toBeGreaterThanOrEqual(2);
    expect(dead.every((t) => !t.ok)).toBe(true);
    // No healthy request ever waited behind more than one failed request, i.e. one timeout.
    expect(Math.max(...failedAheadOfHealthy(transactions, 3))).toBeLessThanOrEqual(1);
    // Healthy units never failed and polled many times more often than the silent one was tried.
    for (const id of ['shuffler-1', 'shuffler-2']) {
      expect(count(rec, id, 'failed')).toBe(0);
      expect(count(rec, id, 'ok')).toBeGreaterThan(2 * count(rec, 'shuffler-3', 'failed'));
    }
    // The silent unit spent most of its slots in backoff rather than on the line.
    expect(count(rec, 'shuffler-3', 'skipped_backoff')).toBeGreaterThan(count(rec, 'shuffler-3', 'failed'));
    // Healthy units published; the silent one never had a reading, so it published nothing.
    expect(new Set(rec.telemetry.map((e) => e.deviceId))).toEqual(new Set(['shuffler-1', 'shuffler-2']));
  });
});

describe('GIVEN a silent TCP endpoint beside a healthy gateway', () => {
  const healthy = simulatedShufflers(2, 9).units;
  const silent = simulatedShufflers(1, 10).units;
  let gateway: Awaited<ReturnType<typeof startShufflerTcpServer>>;
  let deadEndpoint: Awaited<ReturnType<typeof startShufflerTcpServer>>;

  beforeAll(async () => {
    silent.get(1)!.setFaults({ offline: true });
    gateway = await startShufflerTcpServer({ units: healthy, port: 0 });
    deadEndpoint = await startShufflerTcpServer({ units: silent, port: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await deadEndpoint.close();
  });

  it('WHEN polled THEN the healthy bus never waits for the silent one', async () => {
    const { monitor, rec } = startMonitor();
    await monitor.apply(
      configWith({
        registerMaps: fastMaps(100),
        buses: {
          gw: { kind: 'tcp', host: gateway.host, port: gateway.port },
          dead: { kind: 'tcp', host: deadEndpoint.host, port: deadEndpoint.port },
        },
        devices: [
          { deviceId: 'a', bus: 'gw', unitId: 1, registerMap: 'croupier-shuffler-v1' },
          { deviceId: 'b', bus: 'gw', unitId: 2, registerMap: 'croupier-shuffler-v1' },
          { deviceId: 'z', bus: 'dead', unitId: 1, registerMap: 'croupier-shuffler-v1' },
        ],
        timeoutMs: TIMEOUT_MS,
        retries: 1,
        backoff: { initialMs: 500, maxMs: 2_000, multiplier: 2 },
      }),
    );
    await until(() => count(rec, 'z', 'failed') >= 1, 'a failed poll of the silent endpoint');
    const metrics = monitor.metrics();
    await monitor.stop();

    expect((rec.transactions.get('gw') ?? []).every((t) => t.ok)).toBe(true);
    expect(failedAheadOfHealthy(rec.transactions.get('gw') ?? [], -1).every((n) => n === 0)).toBe(true);
    expect(count(rec, 'z', 'failed')).toBeGreaterThanOrEqual(1);
    expect(count(rec, 'a', 'ok')).toBeGreaterThan(2 * count(rec, 'z', 'failed'));
    expect(count(rec, 'b', 'ok')).toBeGreaterThan(2 * count(rec, 'z', 'failed'));
    expect(metrics['devices.backoff']).toBe(1);
  });
});

describe('GIVEN a running monitor', () => {
  const { units } = simulatedShufflers(3, 13);
  let server: Awaited<ReturnType<typeof startShufflerTcpServer>>;

  beforeAll(async () => {
    server = await startShufflerTcpServer({ units, port: 0 });
  });
  afterAll(async () => server.close());

  it('WHEN the configuration changes THEN the poll map changes live, without a restart', async () => {
    const { monitor, rec } = startMonitor();
    const bus = { gw: { kind: 'tcp' as const, host: server.host, port: server.port } };
    await monitor.apply(
      configWith({
        registerMaps: fastMaps(100),
        buses: bus,
        devices: [{ deviceId: 'first', bus: 'gw', unitId: 1, registerMap: 'croupier-shuffler-v1' }],
      }),
    );
    await sleep(800);
    const firstOnly = rec.polls.length;
    expect(new Set(rec.polls.map((p) => p.deviceId))).toEqual(new Set(['first']));

    // Add a device on another unit and slow the status group down.
    await monitor.apply(
      configWith({
        registerMaps: fastMaps(250),
        buses: bus,
        devices: [
          { deviceId: 'first', bus: 'gw', unitId: 1, registerMap: 'croupier-shuffler-v1' },
          { deviceId: 'second', bus: 'gw', unitId: 2, registerMap: 'croupier-shuffler-v1' },
        ],
      }),
    );
    const mark = rec.polls.length;
    const reconfiguredAt = Date.now();
    const after = () => rec.polls.slice(mark);
    const firstStatus = () => after().filter((p) => p.deviceId === 'first' && p.group === 'status').length;
    await until(
      () => after().filter((p) => p.deviceId === 'second' && p.outcome === 'ok').length >= 2 && firstStatus() >= 2,
      'two polls of the added device and two status polls of the first',
    );
    await sleep(1_000);
    const elapsedMs = Date.now() - reconfiguredAt;
    const statusPolls = firstStatus();
    await monitor.stop();

    expect(firstOnly).toBeGreaterThan(0);
    expect(
      rec.telemetry.some((e) => e.deviceId === 'second' && e.serialNumber === units.get(2)!.config.serialNumber),
    ).toBe(true);
    // Status polls of the first device now come every 250 ms rather than every 100 ms: a poll schedule skips
    // the slots a busy machine missed, so the count is bounded above by the 250 ms slots that passed (a 100 ms
    // cadence would exceed it by far), and not below.
    expect(statusPolls).toBeLessThanOrEqual(Math.floor(elapsedMs / 250) + 2);
  });
});
