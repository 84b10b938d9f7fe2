import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { type StreamDefinition, streams } from '../../definitions/streams.js';
import { type TopicRuleDefinition, topicRules } from '../../definitions/topic-rules.js';
import { names } from '../config/names.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { acknowledge, resourceFinding } from '../constructs/nag.js';

export interface IngestStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Key of the lake bucket (named by configuration), where failed rule actions are written under `errors/`. */
  readonly dataKey: kms.IKey;
}

/** IoT SQL version used for every rule, here and in the local rules engine. */
export const IOT_SQL_VERSION = '2016-03-23';

/**
 * The path from IoT Core into the cloud: the Kinesis streams of `cloud/definitions/streams.ts`
 * (encrypted with their own customer-managed key) and the topic rules of
 * `cloud/definitions/topic-rules.ts`, the same definitions the local rules engine evaluates.
 */
export class IngestStack extends Stack {
  readonly streamKey: kms.Key;
  readonly streams: ReadonlyMap<StreamDefinition['id'], kinesis.Stream>;
  readonly ruleRole: iam.Role;
  readonly rules: readonly iot.CfnTopicRule[];

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id, props);
    const { config } = props;
    const lakeBucket = s3.Bucket.fromBucketName(this, 'Lake', names.lakeBucket(config, this));

    this.streamKey = new kms.Key(this, 'StreamKey', {
      alias: `alias/croupier/${config.name}/streams`,
      description: 'Croupier Kinesis streams',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.streams = new Map(
      streams.map((def) => [
        def.id,
        new kinesis.Stream(this, `Stream-${def.id}`, {
          streamName: def.name,
          streamMode: kinesis.StreamMode.PROVISIONED,
          shardCount: def.shardCount,
          retentionPeriod: Duration.hours(def.retentionHours),
          encryption: kinesis.StreamEncryption.KMS,
          encryptionKey: this.streamKey,
          removalPolicy: config.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        }),
      ]),
    );

    // One role for all rules: it may put records on exactly the streams the rules target and write
    // failed actions under errors/iot-rules/ — nothing else in the lake.
    this.ruleRole = new iam.Role(this, 'TopicRuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'IoT topic rules: put uplink envelopes on Kinesis, write failed actions to the lake',
    });
    const targetStreams = [...new Set(topicRules.map((r) => r.action.streamName))].map((name) =>
      this.streamNamed(name),
    );
    this.ruleRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kinesis:PutRecord'],
        resources: targetStreams.map((s) => s.streamArn),
      }),
    );
    this.streamKey.grant(this.ruleRole, 'kms:GenerateDataKey');
    this.ruleRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [lakeBucket.arnForObjects('errors/iot-rules/*')],
      }),
    );
    props.dataKey.grant(this.ruleRole, 'kms:GenerateDataKey');
    acknowledge(this.ruleRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Failed rule actions are written with generated keys (timestamp and uuid), confined to errors/iot-rules/.',
        findings: [resourceFinding(this, lakeBucket.arnForObjects('errors/iot-rules/*'))],
      },
    ]);
    for (const stream of this.streams.values()) {
      acknowledge(stream, [
        {
          id: 'AwsSolutions-KDS3',
          reason:
            'A customer-managed key instead of aws/kinesis: its key policy and grants limit who can read floor data, and key use is audited in CloudTrail.',
        },
      ]);
    }

    this.rules = topicRules.map((rule) => this.topicRule(rule, lakeBucket));
  }

  /** The stream a rule names; an unknown name is a definitions bug and fails synthesis. */
  private streamNamed(name: string): kinesis.Stream {
    const def = streams.find((d) => d.name === name);
    const stream = def && this.streams.get(def.id);
    if (!stream) throw new Error(`topic rule targets unknown stream ${name}`);
    return stream;
  }

  private topicRule(def: TopicRuleDefinition, lakeBucket: s3.IBucket): iot.CfnTopicRule {
    const rule = new iot.CfnTopicRule(this, `Rule-${def.name}`, {
      ruleName: def.name,
      topicRulePayload: {
        description: def.description,
        sql: def.sql,
        awsIotSqlVersion: IOT_SQL_VERSION,
        ruleDisabled: false,
        actions: [
          {
            kinesis: {
              streamName: this.streamNamed(def.action.streamName).streamName,
              partitionKey: def.action.partitionKey,
              roleArn: this.ruleRole.roleArn,
            },
          },
        ],
        errorAction: {
          s3: { bucketName: lakeBucket.bucketName, key: def.errorAction.key, roleArn: this.ruleRole.roleArn },
        },
      },
    });
    // The rule must not exist before its role can act, or the first messages fail authorization.
    rule.node.addDependency(this.ruleRole);
    return rule;
  }
}
