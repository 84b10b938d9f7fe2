/**
 * @packageDocumentation
 * The Croupier edge runtime, shared by every component.
 *
 * - {@link runComponent}: the whole lifecycle of a component in one call (transport, validated and
 *   live configuration, RUNNING/ERRORED state, deployment deferral, SIGTERM → stop → exit).
 * - {@link Transport}: local pub/sub, IoT Core, configuration, state and component updates, with a
 *   Greengrass IPC implementation ({@link GreengrassIpcTransport}) and an MQTT-over-mTLS one for the
 *   local floor ({@link MqttTransport}).
 * - {@link ConfigurationStore}: zod-validated configuration; an invalid update is rejected with a logged
 *   reason and the running configuration stays.
 * - {@link Spool} / {@link SegmentLog}: durable, bounded, crash-safe on-disk queue.
 * - {@link createLogger}: JSON-lines logging that never prints secrets ({@link redact}).
 * - {@link startHealthReporter}: periodic CoreHealth on the local health topic.
 * - {@link UnackedEvents} / {@link AcknowledgementBatcher}: application-level acknowledgement between a
 *   producer and its consumer, for hops whose transport acknowledges on receipt;
 *   {@link UplinkConfirmations}: a producer's side of Uplink's intake acknowledgements.
 */
export {
  type ConfigurationApplier,
  ConfigurationError,
  ConfigurationStore,
  parseConfiguration,
} from './configuration/configuration-store.js';
export { deepMerge } from './configuration/deep-merge.js';
export {
  LocalConfigurationSource,
  type RecipeSummary,
  readRecipe,
} from './configuration/local-configuration-source.js';
export { AcknowledgementBatcher, type AcknowledgementBatcherOptions } from './delivery/acknowledgement-batcher.js';
export { Outbox, type OutboxOptions, type UnsentEvents } from './delivery/outbox.js';
export { DEFAULT_RESEND_POLICY, type ResendPolicy, UnackedEvents } from './delivery/unacked-events.js';
export { UplinkConfirmations, type UplinkConfirmationsOptions } from './delivery/uplink-confirmations.js';
export { type HealthReporter, type HealthReporterOptions, startHealthReporter } from './health-reporter.js';
export { Lifecycle, type LifecycleOptions, type ShutdownHook } from './lifecycle.js';
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  REDACTED,
  redact,
} from './logger.js';
export {
  type ComponentContext,
  type ComponentDefinition,
  type ComponentHandle,
  type RunningComponent,
  type RunOptions,
  runComponent,
} from './run-component.js';
export { writeFileAtomic } from './spool/atomic-file.js';
export { crc32 } from './spool/crc32.js';
export { JsonStateFile, type LoadedState } from './spool/json-state-file.js';
export { type FsyncPolicy, SegmentLog, type SegmentLogOptions, type SpoolRecord } from './spool/segment-log.js';
export { SegmentLogSettings } from './spool/segment-log-settings.js';
export { type AppendResult, Spool, type SpoolOptions, type SpoolStream, type SpoolStreamStats } from './spool/spool.js';
export { createTransportFromEnvironment } from './transport/create-transport.js';
export {
  type GreengrassIpcClient,
  GreengrassIpcTransport,
  type GreengrassIpcTransportOptions,
} from './transport/greengrass-ipc-transport.js';
export {
  LocalFloorSettings,
  MqttEndpointSettings,
  readLocalFloorSettings,
} from './transport/local-floor-settings.js';
export { createMqttConnection, type MqttConnectionTuning } from './transport/mqtt-connection.js';
export { LOCAL_NUCLEUS_TOPICS, MqttTransport, type MqttTransportOptions } from './transport/mqtt-transport.js';
export type {
  ComponentUpdateDecision,
  ComponentUpdateHandler,
  ComponentUpdateNotice,
  ConfigurationListener,
  ConfigurationValidator,
  InboundMessage,
  MessageHandler,
  Qos,
  ReportedState,
  Subscription,
  Transport,
} from './transport/transport.js';
