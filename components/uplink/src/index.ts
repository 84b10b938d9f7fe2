export { CommitPoint } from './commit-point.js';
export { BILLING_UNIT_BYTES, envelopeBudget, MAX_MESSAGE_BYTES, UplinkConfiguration } from './configuration.js';
export {
  type BatchOutput,
  EnvelopeBatcher,
  type EnvelopeBatcherOptions,
  type EnvelopeSizer,
} from './envelope-batcher.js';
export { HourlyEnvelopeBatcher } from './hourly-envelope-batcher.js';
export { StreamDrain, type StreamDrainOptions } from './stream-drain.js';
export { LOCAL_TOPIC_STREAMS, SPOOL_STREAMS } from './stream-routing.js';
export { type DrainSnapshot, decideComponentUpdate, MAX_DEFERRAL_MS, RECHECK_AFTER_MS } from './update-policy.js';
export { Uplink, type UplinkOptions } from './uplink.js';
