/**
 * @packageDocumentation
 * com.croupier.ShufflerMonitor: polls card shufflers over Modbus TCP and RTU and publishes
 * ShufflerTelemetry by exception. The pure parts (decoding, read planning, backoff, report-by-exception,
 * telemetry mapping) are exported for reuse and tests; `main.ts` is the Greengrass entry point.
 */
export { afterFailure, type BackoffPolicy, backoffDelay, type LinkState, mayPoll } from './backoff.js';
export { COMPONENT_NAME, startShufflerMonitor } from './component.js';
export {
  BusDefinition,
  DeviceDefinition,
  MonitorConfig,
  type MonitorConfigInput,
  PollGroup,
  RegisterMap,
} from './config.js';
export { DecodeError, decodePoint, encodePoint, type PointValue, type RawBlock } from './decode.js';
export { DevicePoller, type PollOutcome } from './device-poller.js';
export { type BusTransaction, ModbusBus, ModbusTimeoutError } from './modbus-bus.js';
export { type MergePolicy, type PlannedRead, planReads } from './read-planner.js';
export {
  MAX_BITS_PER_READ,
  MAX_REGISTERS_PER_READ,
  ModbusTable,
  PointDefinition,
  type PointDefinitionInput,
  PointType,
  pointWidth,
} from './register-map.js';
export { shouldReport } from './report-by-exception.js';
export { type MonitorSink, ShufflerMonitor } from './shuffler-monitor.js';
export { REQUIRED_TELEMETRY_POINTS, TELEMETRY_POINTS, toTelemetry } from './telemetry-mapper.js';
