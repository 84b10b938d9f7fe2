/**
 * Months of a shuffler fleet's telemetry, failures and services, written to the lake's raw zone.
 *
 * Telemetry: one ShufflerTelemetry event per device every `sampleSeconds` from the start (default
 * 300 s: a 24-device fleet over 90 days is ~620k events, ~40 MB gzip), quantised exactly as a Modbus
 * poll would read it.
 * The model steps every `stepSeconds` (default 60 s) between samples. Failures and services go to the
 * `service` stream as ShufflerMaintenanceRecord events, the training labels.
 *
 * Byte-identical for the same scenario: every random draw comes from seeded streams consumed in a
 * fixed order, event ids are derived from them, and the lake writer adds nothing time-dependent.
 */
import { type FailureMode, SCHEMA_VERSION, ShufflerMaintenanceRecord, ShufflerTelemetry } from '@croupier/contracts';
import { createRng, type Rng } from '../random/rng.js';
import { buildFleet } from '../shuffler/fleet.js';
import {
  initialShufflerState,
  type ShufflerConfig,
  type ShufflerModelEvent,
  type ShufflerRandom,
  type ShufflerState,
  shufflerRandom,
  stepShuffler,
} from '../shuffler/model.js';
import { defaultShufflerSettings, type ShufflerSettings } from '../shuffler/register-map.js';
import type { ShufflerScenario } from '../shuffler/scenario.js';
import { shufflerTelemetry } from '../shuffler/telemetry.js';
import { deterministicEventId } from './event-id.js';
import { LakeWriter } from './lake-writer.js';

const HOUR_MS = 3_600_000;

/** What a run produced, for the CLI to print and tests to check. */
export interface ShufflerHistorySummary {
  readonly devices: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly telemetryEvents: number;
  readonly failures: Readonly<Record<FailureMode, { withPrecursor: number; withoutPrecursor: number }>>;
  readonly services: { readonly preventive: number; readonly repair: number };
  readonly objects: number;
}

interface SimulatedDevice {
  readonly config: ShufflerConfig;
  readonly random: ShufflerRandom;
  readonly settings: ShufflerSettings;
  state: ShufflerState;
}

function maintenanceRecord(deviceId: string, event: ShufflerModelEvent, ids: Rng): ShufflerMaintenanceRecord {
  const base = { schemaVersion: SCHEMA_VERSION, deviceId };
  const record: ShufflerMaintenanceRecord =
    event.type === 'failure'
      ? {
          eventId: deterministicEventId(event.atMs, ids),
          eventTime: Math.floor(event.atMs),
          ...base,
          type: 'shuffler_failure',
          mode: event.mode,
          hadPrecursor: event.hadPrecursor,
        }
      : {
          eventId: deterministicEventId(event.startedMs, ids),
          eventTime: Math.floor(event.startedMs),
          ...base,
          type: 'shuffler_service',
          kind: event.kind,
          completedAt: Math.floor(event.completedMs),
        };
  return ShufflerMaintenanceRecord.parse(record);
}

/** Generates the history a scenario's `history` section asks for into the lake at `lakeDir`. */
export async function generateShufflerHistory(
  scenario: ShufflerScenario,
  lakeDir: string,
  onHour?: (hourMs: number) => void,
): Promise<ShufflerHistorySummary> {
  const plan = scenario.history;
  if (!plan) throw new Error(`scenario ${scenario.name} has no history section`);
  const root = createRng(scenario.seed);
  const ids = root.fork('event-ids');
  const devices: SimulatedDevice[] = buildFleet(scenario, root).map(({ config }) => {
    const random = shufflerRandom(root, config.deviceId);
    return {
      config,
      random,
      settings: defaultShufflerSettings(config),
      state: initialShufflerState(config, random, plan.start),
    };
  });
  const writer = new LakeWriter(lakeDir, plan.writer);
  const maintenance: ShufflerMaintenanceRecord[] = [];
  const failures = {
    roller_wear: { withPrecursor: 0, withoutPrecursor: 0 },
    motor_degradation: { withPrecursor: 0, withoutPrecursor: 0 },
    optical_sensor_fault: { withPrecursor: 0, withoutPrecursor: 0 },
    sudden_jam: { withPrecursor: 0, withoutPrecursor: 0 },
  };
  const services = { preventive: 0, repair: 0 };
  const endMs = plan.start + plan.days * 24 * HOUR_MS;
  const sampleMs = plan.sampleSeconds * 1000;
  let telemetryEvents = 0;

  for (let hourStart = plan.start; hourStart < endMs; hourStart += HOUR_MS) {
    const telemetry: ShufflerTelemetry[] = [];
    for (let t = hourStart; t < Math.min(hourStart + HOUR_MS, endMs); t += sampleMs) {
      for (const device of devices) {
        while (device.state.timeMs < t) {
          const result = stepShuffler(device.config, device.state, plan.stepSeconds, device.random);
          device.state = result.state;
          for (const event of result.events) {
            maintenance.push(maintenanceRecord(device.config.deviceId, event, ids));
            if (event.type === 'failure')
              failures[event.mode][event.hadPrecursor ? 'withPrecursor' : 'withoutPrecursor'] += 1;
            else services[event.kind] += 1;
          }
        }
        const view = { config: device.config, state: device.state, settings: device.settings };
        telemetry.push(ShufflerTelemetry.parse(shufflerTelemetry(view, deterministicEventId(t, ids), t)));
      }
    }
    await writer.write('raw', 'shuffler', telemetry);
    telemetryEvents += telemetry.length;
    onHour?.(hourStart);
  }
  // Stable sort: same-time records keep their generation order, which is itself deterministic.
  maintenance.sort((a, b) => a.eventTime - b.eventTime);
  await writer.write('raw', 'service', maintenance);
  return {
    devices: devices.length,
    startMs: plan.start,
    endMs,
    telemetryEvents,
    failures,
    services,
    objects: writer.written.objects,
  };
}
