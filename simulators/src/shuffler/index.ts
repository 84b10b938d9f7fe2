/** The shuffler simulator: physical model, Croupier Modbus profile, Modbus servers, live floor and history. */
export { generateShufflerHistory, type ShufflerHistorySummary } from '../history/shuffler-history.js';
export { type ManualClock, manualClock, type SimClock, scaledClock } from './clock.js';
export { type CommFaults, HEALTHY, MODBUS_EXCEPTIONS } from './comm-faults.js';
export { type DeviceEvent, ModbusException, SimulatedShuffler, type SimulatedShufflerOptions } from './device.js';
export { FAILURE_MODE_PROFILES, type FailureModeProfile } from './failure-modes.js';
export { buildFleet, type FleetMember } from './fleet.js';
export { type ShufflerFloor, type ShufflerFloorOptions, startShufflerFloor } from './floor.js';
export { GAME_PROFILES, type GameProfile } from './games.js';
export {
  type FailurePolicy,
  initialShufflerState,
  type ShufflerConfig,
  type ShufflerModelEvent,
  type ShufflerRandom,
  type ShufflerState,
  shufflerRandom,
  stepShuffler,
} from './model.js';
export { PROFILE_DOC_PATH, renderProfileDoc } from './profile-doc.js';
export {
  decodeRegisterBlock,
  decodeWords,
  encodeWords,
  FAULT_CODES,
  type ModbusTable,
  OPERATING_STATES,
  type ProfilePoint,
  pointsOf,
  pointWidth,
  registerImage,
  SHUFFLER_PROFILE,
  type ShufflerSettings,
  type ShufflerView,
  tableSize,
} from './register-map.js';
export { loadShufflerScenario, ShufflerScenario } from './scenario.js';
export { type ShufflerSerialServer, startShufflerSerialServer } from './serial-server.js';
export { type ShufflerTcpServer, startShufflerTcpServer } from './tcp-server.js';
export { shufflerTelemetry } from './telemetry.js';
