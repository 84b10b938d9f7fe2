import { streamById } from './streams.js';

/**
 * IoT Core topic rules, defined once: the CDK app deploys them as `AWS::IoT::TopicRule` and the
 * local rules engine evaluates them against the local broker. Only the SQL subset both support is
 * used: `SELECT *` or fields, `FROM` a topic filter, optional `WHERE`; substitution templates may
 * use `topic(n)`, `timestamp()` and `newuuid()`.
 *
 * Uplink payloads are compressed binary envelopes, so rules select `*` (the raw payload) and never
 * filter on payload fields; routing is by topic only.
 */
export interface TopicRuleDefinition {
  /** Rule name: IoT Core allows letters, digits and underscores only. */
  readonly name: string;
  readonly description: string;
  /** IoT SQL version is fixed to 2016-03-23 wherever the rule is deployed. */
  readonly sql: string;
  readonly action: KinesisActionDefinition;
  readonly errorAction: S3ErrorActionDefinition;
}

export interface KinesisActionDefinition {
  readonly kind: 'kinesis';
  readonly streamName: string;
  /** Substitution template. Partitioning by core keeps each core's envelopes in order on one shard. */
  readonly partitionKey: string;
}

/** Failed actions land in the lake bucket under `errors/`, where operators and the fault suite can read them. */
export interface S3ErrorActionDefinition {
  readonly kind: 's3';
  /** Key template inside the lake bucket. */
  readonly key: string;
}

const errorAction = (ruleName: string): S3ErrorActionDefinition => ({
  kind: 's3',
  key: `errors/iot-rules/${ruleName}/\${timestamp()}-\${newuuid()}`,
});

const toStream = (name: string, stream: 'slot' | 'shuffler' | 'alert' | 'health', streamName: string) =>
  ({
    name,
    description: `Uplink ${stream} envelopes from every core to Kinesis ${streamName}`,
    sql: `SELECT * FROM 'croupier/+/+/${stream}'`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT Core substitution template, evaluated by the rules engine
    action: { kind: 'kinesis', streamName, partitionKey: '${topic(3)}' },
    errorAction: errorAction(name),
  }) as const satisfies TopicRuleDefinition;

/**
 * Slot events go to `slot-events`; everything the floor says about devices (shuffler telemetry,
 * predictions and alerts, core health) goes to `shuffler-telemetry`, whose processor dispatches on
 * the envelope's stream field.
 */
export const topicRules: readonly TopicRuleDefinition[] = [
  toStream('croupier_slot_events', 'slot', streamById('slotEvents').name),
  toStream('croupier_shuffler_telemetry', 'shuffler', streamById('shufflerTelemetry').name),
  toStream('croupier_alerts', 'alert', streamById('shufflerTelemetry').name),
  toStream('croupier_core_health', 'health', streamById('shufflerTelemetry').name),
];
