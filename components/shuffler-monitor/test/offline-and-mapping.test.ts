import type { Server } from 'node:net';
import type { ShufflerTelemetry } from '@croupier/contracts';
import { startShufflerTcpServer } from '@croupier/simulators';
import modbusSerial from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointValue } from '../src/decode.js';
import { DevicePoller } from '../src/device-poller.js';
import { ModbusBus } from '../src/modbus-bus.js';
import { PointDefinition } from '../src/register-map.js';
import { toTelemetry } from '../src/telemetry-mapper.js';
import { configWith } from './support/recipe.js';
import { simulatedShufflers } from './support/simulated-fleet.js';

const values = (over: Record<string, PointValue> = {}) =>
  new Map<string, PointValue>(
    Object.entries({
      shufflesTotal: 10,
      misfeedsTotal: 1,
      jamsTotal: 0,
      cardCountErrorsTotal: 0,
      shufflesPerHour: 12,
      cycleTimeSeconds: 61,
      motorCurrentAmps: 1.2,
      temperatureCelsius: 33,
      hoursSinceService: 5,
      operatingState: 'idle',
      faultCode: 'none',
      inputTrayOptical: true,
      outputTrayOptical: true,
      cardCounter: true,
      doorClosed: true,
      ...over,
    }),
  );
const stamp = { eventId: '019aa8e0-0000-7000-8000-000000000000', eventTime: Date.UTC(2026, 10, 21) };

describe('toTelemetry', () => {
  it('GIVEN a complete reading THEN it builds a contract-valid event with the configured identity', () => {
    const event = toTelemetry({ deviceId: 'd1', tableId: 't1', game: 'poker' }, values(), stamp);
    expect(event.ok && event.value).toMatchObject({ deviceId: 'd1', tableId: 't1', game: 'poker', state: 'idle' });
  });

  it('GIVEN a silent device THEN the event keeps the last values and says offline / comm_error', () => {
    const event = toTelemetry({ deviceId: 'd1', game: 'poker' }, values(), stamp, true);
    expect(event.ok && [event.value.state, event.value.faultCode, event.value.counters.shufflesTotal]).toEqual([
      'offline',
      'comm_error',
      10,
    ]);
  });

  it('GIVEN a gauge outside the contract range THEN the event is refused naming the field', () => {
    const event = toTelemetry({ deviceId: 'd1', game: 'poker' }, values({ temperatureCelsius: 400 }), stamp);
    expect(event.ok).toBe(false);
    expect(!event.ok && event.error.message).toContain('gauges.temperatureCelsius');
  });
});

describe('GIVEN a shuffler that goes silent and comes back', () => {
  const { units } = simulatedShufflers(1, 41);
  let server: Awaited<ReturnType<typeof startShufflerTcpServer>>;
  let bus: ModbusBus;

  beforeAll(async () => {
    server = await startShufflerTcpServer({ units, port: 0 });
    bus = new ModbusBus('gw', { kind: 'tcp', host: server.host, port: server.port });
  });
  afterAll(async () => {
    await bus.close();
    await server.close();
  });

  it('THEN it publishes once offline, skips polls in backoff, and publishes at once on recovery', async () => {
    const cfg = configWith({
      buses: { gw: bus.definition },
      devices: [{ deviceId: 'flaky', bus: 'gw', unitId: 1, registerMap: 'croupier-shuffler-v1' }],
      // Backoff runs on the injected clock; the timeout is real and only has to outlast a loaded machine.
      timeoutMs: 1_000,
      retries: 0,
      backoff: { initialMs: 200, maxMs: 200, multiplier: 1 },
    });
    let now = Date.UTC(2026, 10, 21);
    const events: ShufflerTelemetry[] = [];
    const poller = new DevicePoller(
      cfg.devices[0]!,
      cfg.registerMaps['croupier-shuffler-v1']!,
      bus,
      cfg,
      { telemetry: (e) => events.push(e), rejected: (_, r) => expect.fail(r), polled: () => {} },
      () => now,
    );
    expect(await poller.poll('identity')).toBe('ok');
    expect(await poller.poll('status')).toBe('ok');
    expect(events.map((e) => e.state)).not.toContain('offline');
    const online = events.length;

    units.get(1)!.setFaults({ offline: true });
    expect(await poller.poll('status')).toBe('failed');
    expect(await poller.poll('status')).toBe('skipped_backoff');
    now += 250;
    expect(await poller.poll('status')).toBe('failed');
    // One offline event however long the silence lasts.
    expect(events.slice(online).map((e) => [e.state, e.faultCode])).toEqual([['offline', 'comm_error']]);

    units.get(1)!.setFaults({ offline: false });
    now += 250;
    expect(await poller.poll('status')).toBe('ok');
    expect(events.at(-1)!.state).not.toBe('offline');
    expect(events).toHaveLength(online + 2);
  });
});

describe('GIVEN a device that reports a code the map does not know', () => {
  it('THEN that point is rejected with the reason and the device stays online', async () => {
    const { ServerTCP } = modbusSerial as unknown as typeof import('modbus-serial');
    // ServerTCP treats port 0 as "use 502"; a numeric string reaches net.Server.listen as "any free port".
    const server = new ServerTCP(
      { getInputRegister: (addr: number) => (addr === 2 ? 99 : 7) },
      { host: '127.0.0.1', port: '0' as unknown as number },
    );
    await new Promise((resolve) => server.once('initialized', resolve));
    const address = (server as unknown as { _server: Server })._server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const bus = new ModbusBus('gw', { kind: 'tcp', host: '127.0.0.1', port });
    const points = [
      PointDefinition.parse({ name: 'faultCode', table: 'input', address: 2, type: 'uint16', values: ['none', 'jam'] }),
      PointDefinition.parse({ name: 'other', table: 'input', address: 3, type: 'uint16' }),
    ];
    const rejected: string[] = [];
    const poller = new DevicePoller(
      { deviceId: 'new-firmware', bus: 'gw', unitId: 1, registerMap: 'm', enabled: true },
      { points, groups: [{ name: 'g', intervalMs: 1_000, jitterMs: 0, points: ['faultCode', 'other'] }] },
      bus,
      { ...configWith({}), timeoutMs: 1_000 },
      { telemetry: () => {}, rejected: (_, reason) => rejected.push(reason), polled: () => {} },
    );
    expect(await poller.poll('g')).toBe('ok');
    expect(rejected).toEqual(['faultCode: unknown code 99']);
    expect(poller.linkState.status).toBe('online');
    expect(poller.snapshot().get('other')).toBe(7);
    await bus.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
