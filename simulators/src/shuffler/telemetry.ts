import { SCHEMA_VERSION, type ShufflerFaultCode, type ShufflerTelemetry } from '@croupier/contracts';
import { decodeRegisterBlock, registerImage, type ShufflerView } from './register-map.js';

/** float32 carries ~7 significant digits; 4 decimals keep every gauge's real resolution and read cleanly. */
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** Where each ShufflerTelemetry field comes from: the input-register point a collector reads for it. */
export const TELEMETRY_SOURCES = {
  'counters.shufflesTotal': 'shufflesTotal',
  'counters.misfeedsTotal': 'misfeedsTotal',
  'counters.jamsTotal': 'jamsTotal',
  'counters.cardCountErrorsTotal': 'cardCountErrorsTotal',
  'gauges.shufflesPerHour': 'shufflesPerHour',
  'gauges.cycleTimeSeconds': 'cycleTimeSeconds',
  'gauges.motorCurrentAmps': 'motorCurrentAmps',
  'gauges.temperatureCelsius': 'temperatureCelsius',
  'gauges.hoursSinceService': 'hoursSinceService',
  state: 'operatingState',
  faultCode: 'faultCode',
  sensors: 'sensorStatus',
} as const;

/**
 * The telemetry event a collector would build from one Modbus read of the input registers. Values
 * pass through the register encoding, so generated history is quantised exactly like live polling.
 */
export function shufflerTelemetry(view: ShufflerView, eventId: string, eventTime: number): ShufflerTelemetry {
  const read = decodeRegisterBlock('input_register', 0, registerImage('input_register', view));
  const n = (field: keyof typeof TELEMETRY_SOURCES) => read[TELEMETRY_SOURCES[field]] as number;
  const { config } = view;
  return {
    eventId,
    eventTime,
    schemaVersion: SCHEMA_VERSION,
    type: 'shuffler_telemetry',
    deviceId: config.deviceId,
    ...(config.tableId === undefined ? {} : { tableId: config.tableId }),
    game: config.game,
    serialNumber: config.serialNumber,
    counters: {
      shufflesTotal: n('counters.shufflesTotal'),
      misfeedsTotal: n('counters.misfeedsTotal'),
      jamsTotal: n('counters.jamsTotal'),
      cardCountErrorsTotal: n('counters.cardCountErrorsTotal'),
    },
    gauges: {
      shufflesPerHour: n('gauges.shufflesPerHour'),
      cycleTimeSeconds: n('gauges.cycleTimeSeconds'),
      motorCurrentAmps: round4(n('gauges.motorCurrentAmps')),
      temperatureCelsius: round4(n('gauges.temperatureCelsius')),
      hoursSinceService: round4(n('gauges.hoursSinceService')),
    },
    state: read[TELEMETRY_SOURCES.state] as ShufflerTelemetry['state'],
    faultCode: read[TELEMETRY_SOURCES.faultCode] as ShufflerFaultCode,
    sensors: read[TELEMETRY_SOURCES.sensors] as ShufflerTelemetry['sensors'],
  };
}
