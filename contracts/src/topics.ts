/**
 * Every MQTT topic in Croupier, built and parsed in one place. Builders validate their segments so a
 * malformed id can never produce a topic that escapes its subtree (no `/`, `+`, `#` in a segment).
 */

/** Streams a core publishes upstream under `croupier/{property}/{core}/{stream}`. */
export const UPLINK_STREAMS = ['slot', 'shuffler', 'alert', 'health'] as const;
export type UplinkStream = (typeof UPLINK_STREAMS)[number];

/** Characters allowed in a topic segment: letters, digits, `-`, `_`, `.`, `:` (IoT thing names allow the same). */
const SEGMENT = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Raised when a topic segment or a topic does not follow the contract. */
export class TopicError extends Error {
  override readonly name = 'TopicError';
}

function segment(kind: string, value: string): string {
  if (!SEGMENT.test(value)) throw new TopicError(`invalid ${kind} "${value}": use 1-128 of A-Z a-z 0-9 _ . : -`);
  return value;
}

/** Returns true when `value` can be used as one topic segment (property, core, machine or device id). */
export function isTopicSegment(value: string): boolean {
  return SEGMENT.test(value);
}

/** `croupier/{property}/{core}/{stream}`: a core's uplink to IoT Core. */
export function uplinkTopic(property: string, core: string, stream: UplinkStream): string {
  if (!UPLINK_STREAMS.includes(stream)) throw new TopicError(`invalid uplink stream "${stream}"`);
  return `croupier/${segment('property', property)}/${segment('core', core)}/${stream}`;
}

/** `croupier/{property}/{core}/offers`: offers pushed down to a core, for a machine in session. */
export function offersTopic(property: string, core: string): string {
  return `croupier/${segment('property', property)}/${segment('core', core)}/offers`;
}

/** `croupier/{property}/{core}/cmd/{command}`: commands to a core. */
export function commandTopic(property: string, core: string, command: string): string {
  return `croupier/${segment('property', property)}/${segment('core', core)}/cmd/${segment('command', command)}`;
}

/** `croupier/{property}/{core}/cmd/#`: what a core subscribes to for commands. */
export function commandFilter(property: string, core: string): string {
  return `croupier/${segment('property', property)}/${segment('core', core)}/cmd/#`;
}

/** `smib/{machineId}/events`: an SMIB publishes its events here on the core's client-device broker. */
export function smibEventsTopic(machineId: string): string {
  return `smib/${segment('machineId', machineId)}/events`;
}

/** `smib/{machineId}/display`: what the core shows on a machine's display (offers, messages). */
export function smibDisplayTopic(machineId: string): string {
  return `smib/${segment('machineId', machineId)}/display`;
}

/**
 * `smib/{machineId}/acks`: SlotGateway's acknowledgement of the events it has made durable
 * ({@link SmibAck}); an SMIB resends what stays unacknowledged.
 */
export function smibAcksTopic(machineId: string): string {
  return `smib/${segment('machineId', machineId)}/acks`;
}

/** `smib/+/events`: SlotGateway's subscription. */
export const SMIB_EVENTS_FILTER = 'smib/+/events';

/** Component-to-component topics on the core (Greengrass local pub/sub, or local MQTT on the local floor). */
export const LOCAL_TOPICS = {
  /** ShufflerMonitor → FailurePredictor, Uplink: shuffler telemetry events. */
  shufflerTelemetry: 'croupier/local/shuffler/telemetry',
  /** FailurePredictor → Uplink: predictions and maintenance alerts. */
  predictions: 'croupier/local/predictor/predictions',
  alerts: 'croupier/local/predictor/alerts',
  /** SlotGateway → Uplink: validated, tokenised slot events. */
  slotEvents: 'croupier/local/slot/events',
  /** Uplink → producers: ids of the events Uplink has journalled (`IntakeAck`). */
  intakeAcks: 'croupier/local/uplink/acks',
  /** Uplink → SlotGateway: offers received from the cloud. */
  offers: 'croupier/local/offers',
  /** Every component → Uplink: component health and metrics. */
  health: 'croupier/local/health',
} as const;

/** A parsed Croupier cloud topic. */
export type ParsedTopic =
  | { kind: 'uplink'; property: string; core: string; stream: UplinkStream }
  | { kind: 'offers'; property: string; core: string }
  | { kind: 'command'; property: string; core: string; command: string }
  | { kind: 'smibEvents'; machineId: string }
  | { kind: 'smibDisplay'; machineId: string }
  | { kind: 'smibAcks'; machineId: string };

/** Parses any topic in the contract; returns a typed error result instead of throwing. */
export function parseTopic(topic: string): { ok: true; value: ParsedTopic } | { ok: false; error: TopicError } {
  const parts = topic.split('/');
  const bad = (why: string) => ({ ok: false as const, error: new TopicError(`${why}: "${topic}"`) });
  if (parts[0] === 'smib' && parts.length === 3) {
    const [, machineId, leaf] = parts as [string, string, string];
    if (!SEGMENT.test(machineId)) return bad('invalid machine id');
    if (leaf === 'events') return { ok: true, value: { kind: 'smibEvents', machineId } };
    if (leaf === 'display') return { ok: true, value: { kind: 'smibDisplay', machineId } };
    if (leaf === 'acks') return { ok: true, value: { kind: 'smibAcks', machineId } };
    return bad('unknown smib topic');
  }
  if (parts[0] !== 'croupier' || parts.length < 4) return bad('not a croupier topic');
  const [, property, core, leaf, ...rest] = parts as [string, string, string, string, ...string[]];
  if (!SEGMENT.test(property) || !SEGMENT.test(core)) return bad('invalid property or core');
  if (leaf === 'offers' && rest.length === 0) return { ok: true, value: { kind: 'offers', property, core } };
  if (leaf === 'cmd' && rest.length === 1 && SEGMENT.test(rest[0]!)) {
    return { ok: true, value: { kind: 'command', property, core, command: rest[0]! } };
  }
  if (rest.length === 0 && (UPLINK_STREAMS as readonly string[]).includes(leaf)) {
    return { ok: true, value: { kind: 'uplink', property, core, stream: leaf as UplinkStream } };
  }
  return bad('unknown croupier topic');
}
