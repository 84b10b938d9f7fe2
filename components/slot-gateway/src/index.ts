export { playerTokenKey, SlotGatewayConfiguration } from './configuration.js';
export { type DeadLetter, DeadLetterFile, maskCardNumbers } from './dead-letter.js';
export { DuplicateFilter } from './duplicate-filter.js';
export { type LoadedSessions, SessionFile } from './session-file.js';
export { type CardSession, SessionTracker } from './session-tracker.js';
export { SlotGateway, type SlotGatewayOptions } from './slot-gateway.js';
export { tokenise } from './tokenise.js';
export { UplinkHandoff, type UplinkHandoffOptions } from './uplink-handoff.js';
