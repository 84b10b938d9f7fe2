import type { CoreHealth, ShufflerTelemetry } from '@croupier/contracts';
import type { TimeSeriesRecord } from './time-series-sink.js';

/** Where an event came from. */
export interface Origin {
  readonly property: string;
  readonly core: string;
}

/** A shuffler reading as a time-series record. Pure. */
export function telemetryRecord(reading: ShufflerTelemetry, origin: Origin): TimeSeriesRecord {
  return {
    time: reading.eventTime,
    dimensions: {
      property: origin.property,
      core: origin.core,
      deviceId: reading.deviceId,
      game: reading.game,
      ...(reading.tableId ? { tableId: reading.tableId } : {}),
    },
    measureName: 'shuffler_telemetry',
    measures: {
      state: reading.state,
      faultCode: reading.faultCode,
      shufflesTotal: reading.counters.shufflesTotal,
      misfeedsTotal: reading.counters.misfeedsTotal,
      jamsTotal: reading.counters.jamsTotal,
      cardCountErrorsTotal: reading.counters.cardCountErrorsTotal,
      shufflesPerHour: reading.gauges.shufflesPerHour,
      cycleTimeSeconds: reading.gauges.cycleTimeSeconds,
      motorCurrentAmps: reading.gauges.motorCurrentAmps,
      temperatureCelsius: reading.gauges.temperatureCelsius,
      hoursSinceService: reading.gauges.hoursSinceService,
      sensorsHealthy:
        reading.sensors.inputTrayOptical &&
        reading.sensors.outputTrayOptical &&
        reading.sensors.cardCounter &&
        reading.sensors.doorClosed,
    },
  };
}

/** A core component's health as a time-series record. Pure. */
export function coreHealthRecord(health: CoreHealth, origin: Origin): TimeSeriesRecord {
  return {
    time: health.eventTime,
    dimensions: { property: origin.property, core: health.core, component: health.component },
    measureName: 'core_health',
    measures: { state: health.state, componentVersion: health.componentVersion, ...health.metrics },
  };
}
