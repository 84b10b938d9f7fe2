/** The slot floor simulator: pure floor model, SMIB fleet over MQTT/mTLS, ground truth, scenarios. */

export { generateSlotHistory, type SlotHistoryOptions, type SlotHistoryResult } from '../history/slot-history.js';
export { SlotUplinkForm } from '../history/slot-uplink-form.js';
export { type DisplayRecord, recordDisplay } from './display-log.js';
export { buildFloorPlan, type FloorMachine } from './floor-plan.js';
export {
  createSlotFloorModel,
  type EmittedSlotEvent,
  type SlotFloorModel,
  SlotFloorSimulation,
} from './floor-simulation.js';
export { GAME_CATALOGUE, GAME_KEYS, type GameDefinition, type GameKind } from './game-catalogue.js';
export { GamingDayCalendar } from './gaming-day.js';
export { GroundTruth, type GroundTruthDocument, type MachineTotals } from './ground-truth.js';
export type { DayPlay, EventTruth, SessionTruth, TripTruth } from './ground-truth-types.js';
export { type EventPublisher, type LiveRunOptions, type LiveRunStats, runLiveFloor } from './live-floor.js';
export { OfferResponder, type OfferResponderOptions } from './offer-responder.js';
export {
  buildPaytable,
  HOLD_RESOLUTION,
  PAYTABLE_CYCLE,
  type PayOutcome,
  type PayShapeEntry,
  type PaytableDefinition,
  PaytableError,
  type PaytableModel,
} from './paytable-model.js';
export { buildPopulation, type SimPlayer } from './player-population.js';
export {
  BrokerConfig,
  FloorConfig,
  loadPlayerTokenKey,
  loadSlotScenario,
  MachineEventRates,
  PopulationConfig,
  PropertyConfig,
  parseSlotScenario,
  ScenarioError,
  SlotFloorModelConfig,
  SlotScenario,
  ZoneConfig,
} from './scenario.js';
export { type LiveScenarioResult, runLiveScenario } from './scenario-runner.js';
export {
  type HouseRules,
  MIN_BILL_CENTS,
  type SessionInput,
  type SessionResult,
  simulateSession,
} from './session-model.js';
export { SimulatedClock } from './simulated-clock.js';
export { SmibClient, type SmibClientOptions, type SmibCredentials } from './smib-client.js';
export { smibCredentialsFrom } from './smib-credentials.js';
export { SmibFleet, type SmibFleetOptions } from './smib-fleet.js';
