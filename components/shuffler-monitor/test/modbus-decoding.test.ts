import type { ShufflerTelemetry } from '@croupier/contracts';
import {
  type ProfilePoint,
  SHUFFLER_PROFILE,
  type SimulatedShuffler,
  startShufflerSerialServer,
  startShufflerTcpServer,
} from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusDefinition, RegisterMap } from '../src/config.js';
import { DevicePoller, type PollerSink } from '../src/device-poller.js';
import { ModbusBus } from '../src/modbus-bus.js';
import { PointDefinition } from '../src/register-map.js';
import { openPtyPair, type PtyPair } from './support/pty-pair.js';
import { configWith } from './support/recipe.js';
import { simulatedShufflers, wholeProfileAsPoints } from './support/simulated-fleet.js';

const settings = {
  timeoutMs: 2_000,
  retries: 0,
  backoff: { initialMs: 1_000, maxMs: 1_000, multiplier: 1 },
  merge: { maxRegisterGap: 8, maxBitGap: 64 },
  heartbeatMs: 60_000,
};

function capture(): PollerSink & { events: ShufflerTelemetry[]; rejections: string[] } {
  const events: ShufflerTelemetry[] = [];
  const rejections: string[] = [];
  return {
    events,
    rejections,
    telemetry: (e) => events.push(e),
    rejected: (_, r) => rejections.push(r),
    polled: () => {},
  };
}

/** What the simulator means by each point right now, and the resolution the profile documents for it. */
function expectations(device: SimulatedShuffler): Map<string, { value: unknown; tolerance?: number }> {
  const view = device.view();
  const out = new Map<string, { value: unknown; tolerance?: number }>();
  for (const p of SHUFFLER_PROFILE as readonly ProfilePoint[]) {
    switch (p.kind) {
      case 'number': {
        const v = p.read(view);
        out.set(p.name, { value: v, tolerance: p.type === 'float32' ? Math.abs(v) * 1e-6 + 1e-6 : p.scale / 2 + 1e-9 });
        break;
      }
      case 'bitfield': {
        const flags = p.read(view);
        for (const b of p.bits) out.set(`${p.name}.${b.name}`, { value: flags[b.name] });
        break;
      }
      case 'bit':
        out.set(`${p.table}.${p.name}`, { value: p.read(view) });
        break;
      default:
        out.set(p.name, { value: p.read(view) });
    }
  }
  return out;
}

const wholeProfileMap = (): RegisterMap => {
  const points = wholeProfileAsPoints().map((p) => PointDefinition.parse(p));
  return { points, groups: [{ name: 'all', intervalMs: 1_000, jitterMs: 0, points: points.map((p) => p.name) }] };
};

async function expectEveryPointDecodes(bus: ModbusBus, units: Map<number, SimulatedShuffler>) {
  for (const [unitId, device] of units) {
    const poller = new DevicePoller(
      { deviceId: device.config.deviceId, bus: bus.id, unitId, registerMap: 'profile', enabled: true },
      wholeProfileMap(),
      bus,
      settings,
      capture(),
    );
    expect(await poller.poll('all')).toBe('ok');
    const decoded = poller.snapshot();
    const expected = expectations(device);
    expect([...decoded.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, { value, tolerance }] of expected) {
      const got = decoded.get(name);
      if (tolerance === undefined) expect(got, name).toEqual(value);
      else expect(Math.abs((got as number) - (value as number)), name).toBeLessThanOrEqual(tolerance);
    }
    // Every table was read in as few requests as the protocol allows: one per table.
    expect(poller.planFor('all')).toHaveLength(4);
  }
}

async function expectTelemetryMatches(bus: ModbusBus, units: Map<number, SimulatedShuffler>, busId: string) {
  const cfg = configWith({
    buses: { [busId]: bus.definition },
    devices: [...units.keys()].map((unitId) => ({
      deviceId: `dev-${unitId}`,
      bus: busId,
      unitId,
      registerMap: 'croupier-shuffler-v1',
    })),
  });
  for (const device of cfg.devices) {
    const sink = capture();
    const poller = new DevicePoller(device, cfg.registerMaps['croupier-shuffler-v1']!, bus, cfg, sink);
    expect(await poller.poll('identity')).toBe('ok');
    expect(await poller.poll('status')).toBe('ok');
    expect(sink.rejections).toEqual([]);
    expect(sink.events).toHaveLength(1);
    const event = sink.events[0]!;
    const sim = units.get(device.unitId)!;
    const { state } = sim.view();
    expect(event).toMatchObject({
      type: 'shuffler_telemetry',
      deviceId: device.deviceId,
      game: sim.config.game,
      serialNumber: sim.config.serialNumber,
      counters: {
        shufflesTotal: state.shufflesTotal,
        misfeedsTotal: state.misfeedsTotal,
        jamsTotal: state.jamsTotal,
        cardCountErrorsTotal: state.cardCountErrorsTotal,
      },
      faultCode: state.faultCode,
    });
    expect(event.gauges.motorCurrentAmps).toBeCloseTo(state.motorCurrentAmps, 5);
    expect(event.gauges.temperatureCelsius).toBeCloseTo(state.temperatureCelsius, 4);
    expect(Math.abs(event.gauges.cycleTimeSeconds - state.cycleTimeSeconds)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(event.gauges.shufflesPerHour - state.shufflesPerHour)).toBeLessThanOrEqual(0.05 + 1e-9);
  }
}

describe('GIVEN simulated shufflers behind a Modbus TCP endpoint', () => {
  const { units } = simulatedShufflers(3);
  let server: Awaited<ReturnType<typeof startShufflerTcpServer>>;
  let bus: ModbusBus;

  beforeAll(async () => {
    server = await startShufflerTcpServer({ units, host: '127.0.0.1', port: 0 });
    bus = new ModbusBus('tcp-gw', { kind: 'tcp', host: server.host, port: server.port } satisfies BusDefinition);
  });
  afterAll(async () => {
    await bus.close();
    await server.close();
  });

  it('WHEN every documented register is polled THEN each decodes to what the shuffler means', async () => {
    await expectEveryPointDecodes(bus, units);
  });

  it('WHEN polled with the recipe default map THEN the telemetry event carries the shuffler state', async () => {
    await expectTelemetryMatches(bus, units, 'tcp-gw');
  });
});

describe('GIVEN simulated shufflers on an RTU serial line (socat pty pair)', () => {
  const { units } = simulatedShufflers(3, 23);
  let pty: PtyPair;
  let server: Awaited<ReturnType<typeof startShufflerSerialServer>>;
  let bus: ModbusBus;

  beforeAll(async () => {
    pty = await openPtyPair();
    server = await startShufflerSerialServer({ units, path: pty.a, baudRate: 115_200 });
    bus = new ModbusBus('rs485-1', {
      kind: 'rtu',
      path: pty.b,
      baudRate: 115_200,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
    });
  });
  afterAll(async () => {
    await bus.close();
    await server.close();
    await pty.close();
  });

  it('WHEN every documented register is polled THEN each decodes to what the shuffler means', async () => {
    await expectEveryPointDecodes(bus, units);
  });

  it('WHEN polled with the recipe default map THEN the telemetry event carries the shuffler state', async () => {
    await expectTelemetryMatches(bus, units, 'rs485-1');
  });
});
