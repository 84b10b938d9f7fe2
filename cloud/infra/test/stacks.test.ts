import { rmSync } from 'node:fs';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import jsonata from 'jsonata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '../../definitions/streams.js';
import { tables } from '../../definitions/tables.js';
import { topicRules } from '../../definitions/topic-rules.js';
import { THING_NAME_VARIABLE as THING } from '../../local/iot/policy.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { readRecipeVersions } from '../constructs/component-recipes.js';
import type { CroupierStacks } from '../croupier-app.js';
import { referenceApp } from './reference-app.js';

/**
 * One synthesis of the reference app (all stacks, Timestream enabled), shared by every assertion
 * below; `Template.fromStack` reads the same cloud assembly for each stack.
 */
let stacks: CroupierStacks;
let config: EnvironmentConfig;
let outdir: string;
let app: ReturnType<typeof referenceApp>['app'];
const templates = new Map<string, Template>();
const template = (stack: Stack) => {
  let t = templates.get(stack.stackName);
  if (!t) {
    t = Template.fromStack(stack);
    templates.set(stack.stackName, t);
  }
  return t;
};
/** Every IAM statement of every policy in a template, flattened. */
const statements = (t: Template) =>
  Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument
        .Statement,
  );
const actionsOf = (s: Record<string, unknown>) => [s.Action].flat() as string[];
/** A physical name that embeds the account id: CloudFormation joins it at deploy time. */
const joinedName = (prefix: string) => ({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`^${prefix}`)])] });

beforeAll(() => {
  ({ app, stacks, config, outdir } = referenceApp());
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk-nag AwsSolutions', () => {
  it('GIVEN the reference app WHEN the AwsSolutions pack validates it THEN there is no unacknowledged finding', () => {
    // cdk-nag 3 reports through CDK's validation plugins instead of annotations; this is the
    // same check `cdk synth` runs (where a finding fails synthesis).
    app.synth();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
    // Synthesizing and checking all eight stacks takes about a minute on a busy 2-core runner.
  }, 240_000);

  it('GIVEN every acknowledgement WHEN read back from the tree THEN each carries a reason', () => {
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(20);
  });
});

describe('StorageStack', () => {
  it('GIVEN the lake WHEN synthesized THEN it is SSE-KMS with the data key, private, TLS-only and logged', () => {
    const t = template(stacks.storage);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: joinedName('croupier-dev-lake-'),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogs') },
        LogFilePrefix: 'lake/',
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('GIVEN retention settings WHEN synthesized THEN each lake zone expires on its own schedule', () => {
    const t = template(stacks.storage);
    const r = config.retention;
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: joinedName('croupier-dev-lake-'),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'raw/', ExpirationInDays: r.lakeRawDays, Status: 'Enabled' }),
          Match.objectLike({
            Prefix: 'refined/',
            ExpirationInDays: r.lakeRefinedDays,
            Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: r.lakeColdAfterDays }],
          }),
          Match.objectLike({ Prefix: 'errors/', ExpirationInDays: r.lakeErrorsDays }),
        ]),
      },
    });
  });

  it('GIVEN the table definitions WHEN synthesized THEN every table is on demand, PITR, CMK-encrypted, with its TTL', () => {
    const t = template(stacks.storage);
    t.resourceCountIs('AWS::DynamoDB::Table', tables.length);
    for (const def of tables) {
      t.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: def.name,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        ...(def.ttlAttribute
          ? { TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } }
          : { TimeToLiveSpecification: Match.absent() }),
      });
    }
  });

  it('GIVEN the lake layout WHEN synthesized THEN Glue tables project dt/hr partitions onto the Hive paths', () => {
    const t = template(stacks.storage);
    t.resourceCountIs('AWS::Glue::Table', 2 * 5);
    t.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'raw_slot',
        PartitionKeys: [Match.objectLike({ Name: 'dt' }), Match.objectLike({ Name: 'hr' })],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.hr.digits': '2',
          'storage.location.template': {
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/raw/slot/dt=\\$\\{dt\\}/hr=\\$\\{hr\\}/$')])],
          },
        }),
        StorageDescriptor: Match.objectLike({
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
          Columns: Match.arrayWith([{ Name: 'eventid', Type: 'string', Comment: Match.anyValue() }]),
        }),
      }),
    });
  });

  it('GIVEN Athena WHEN synthesized THEN the workgroup enforces KMS-encrypted results and a scan limit', () => {
    const t = template(stacks.storage);
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'croupier-dev',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
        },
      }),
    });
    t.resourceCountIs('AWS::Athena::NamedQuery', 3);
  });

  it('GIVEN Timestream enabled WHEN synthesized THEN tables keep memory and magnetic retention from config', () => {
    const t = template(stacks.storage);
    t.hasResourceProperties('AWS::Timestream::Database', { DatabaseName: 'croupier-dev', KmsKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::Timestream::Table', {
      TableName: 'shuffler_telemetry',
      RetentionProperties: { MemoryStoreRetentionPeriodInHours: '24', MagneticStoreRetentionPeriodInDays: '365' },
    });
  });
});

describe('IngestStack', () => {
  it('GIVEN the stream definitions WHEN synthesized THEN each stream is KMS-encrypted with the stream CMK', () => {
    const t = template(stacks.ingest);
    for (const def of streams) {
      t.hasResourceProperties('AWS::Kinesis::Stream', {
        Name: def.name,
        ShardCount: def.shardCount,
        RetentionPeriodHours: def.retentionHours,
        StreamEncryption: {
          EncryptionType: 'KMS',
          KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StreamKey'), 'Arn'] },
        },
      });
    }
  });

  it('GIVEN the shared rule definitions WHEN synthesized THEN each becomes a topic rule with its Kinesis and S3 error actions', () => {
    const t = template(stacks.ingest);
    t.resourceCountIs('AWS::IoT::TopicRule', topicRules.length);
    for (const rule of topicRules) {
      t.hasResourceProperties('AWS::IoT::TopicRule', {
        RuleName: rule.name,
        TopicRulePayload: Match.objectLike({
          Sql: rule.sql,
          AwsIotSqlVersion: '2016-03-23',
          Actions: [{ Kinesis: Match.objectLike({ PartitionKey: rule.action.partitionKey }) }],
          ErrorAction: { S3: Match.objectLike({ Key: rule.errorAction.key }) },
        }),
      });
    }
  });

  it('GIVEN the rule role WHEN synthesized THEN it may only put records on the streams and write errors/iot-rules/', () => {
    const all = statements(template(stacks.ingest));
    const actions = [...new Set(all.flatMap(actionsOf))].sort();
    expect(actions).toEqual(['kinesis:PutRecord', 'kms:GenerateDataKey', 's3:PutObject']);
    const s3 = all.find((s) => actionsOf(s).includes('s3:PutObject'));
    expect(JSON.stringify(s3?.Resource)).toContain('/errors/iot-rules/*');
  });
});

describe('EdgeStack', () => {
  const policyDocument = (name: string) => {
    const [policy] = Object.values(
      template(stacks.edge).findResources('AWS::IoT::Policy', { Properties: { PolicyName: name } }),
    );
    return JSON.stringify((policy as { Properties: { PolicyDocument: unknown } }).Properties.PolicyDocument);
  };

  it('GIVEN the shared core policy WHEN rendered THEN a core connects and publishes only as its own thing', () => {
    const doc = policyDocument(config.edge.corePolicyName);
    expect(doc).toContain(`client/${THING}`);
    for (const stream of ['slot', 'shuffler', 'alert', 'health']) {
      expect(doc).toContain(`topic/croupier/*/${THING}/${stream}`);
    }
    expect(doc).toContain(`topicfilter/croupier/*/${THING}/cmd/#`);
    expect(doc).not.toMatch(/topic\/croupier\/\*"|topic\/\*"/);
  });

  it('GIVEN the claim policy WHEN synthesized THEN it allows only the provisioning topics under its client-id prefix', () => {
    const doc = JSON.parse(policyDocument(`${config.edge.corePolicyName}-claim`)) as {
      Statement: { Action: string[]; Resource: unknown[] }[];
    };
    const resources = doc.Statement.flatMap((s) => s.Resource.map((r) => JSON.stringify(r)));
    for (const r of resources)
      expect(r).toMatch(/client\/croupier-claim-\*|\$aws\/(certificates|provisioning-templates)/);
    expect(doc.Statement.flatMap((s) => s.Action).sort()).toEqual([
      'iot:Connect',
      'iot:Publish',
      'iot:Receive',
      'iot:Subscribe',
    ]);
  });

  it('GIVEN the token-exchange role WHEN synthesized THEN it is assumable by IoT credentials and reads only artifacts', () => {
    const t = template(stacks.edge);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'credentials.iot.amazonaws.com' } })],
      },
    });
    t.hasResourceProperties('AWS::IoT::RoleAlias', {
      RoleAlias: config.edge.roleAliasName,
      CredentialDurationSeconds: 3600,
    });
    const tes = statements(t).filter(
      (s) => JSON.stringify(s).includes('cloudwatch:namespace') || actionsOf(s).includes('s3:GetObject'),
    );
    expect(tes.flatMap(actionsOf).sort()).toEqual(['cloudwatch:PutMetricData', 's3:GetObject']);
    expect(tes.find((s) => actionsOf(s).includes('cloudwatch:PutMetricData'))?.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': 'Croupier/Edge' },
    });
  });

  it('GIVEN fleet provisioning WHEN synthesized THEN each property has a template that puts new cores in its group and the model group', () => {
    const t = template(stacks.edge);
    const templates = Object.values(t.findResources('AWS::IoT::ProvisioningTemplate')) as {
      Properties: { TemplateName: string; TemplateBody: string };
    }[];
    expect(templates.map((p) => p.Properties.TemplateName)).toEqual(
      config.properties.map((p) => `${config.edge.provisioningTemplatePrefix}-${p.id}`),
    );
    for (const [i, property] of config.properties.entries()) {
      const body = JSON.parse(templates[i]!.Properties.TemplateBody) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      expect(body.Resources.thing?.Properties.ThingGroups).toEqual([
        `${config.edge.fleetThingGroupPrefix}-${property.id}`,
        config.edge.modelThingGroupName,
      ]);
      expect(body.Resources.policy?.Properties.PolicyName).toBe(config.edge.corePolicyName);
      expect(body.Resources.certificate?.Properties.Status).toBe('Active');
    }
    // The claim certificate may use exactly these templates.
    const claim = policyDocument(`${config.edge.corePolicyName}-claim`);
    for (const p of config.properties) {
      expect(claim).toContain(
        `provisioning-templates/${config.edge.provisioningTemplatePrefix}-${p.id}/provision/json`,
      );
    }
  });

  describe('fleet deployment rendered from recipes/', () => {
    const property = () => config.properties[0]!;
    const deployment = () => {
      const found = template(stacks.edge).findResources('AWS::GreengrassV2::Deployment');
      expect(Object.keys(found)).toHaveLength(config.properties.length);
      const [logicalId, resource] = Object.entries(found).find(([id]) =>
        id.startsWith(`FleetDeployment${property().id}`),
      )!;
      return { logicalId, properties: (resource as { Properties: Record<string, unknown> }).Properties };
    };
    const components = () =>
      deployment().properties.Components as Record<
        string,
        { ComponentVersion: string; ConfigurationUpdate?: { Merge: unknown } }
      >;
    /** A merge that CloudFormation joins (it holds a dynamic reference) back to text, with each token named. */
    const mergeText = (merge: unknown) =>
      typeof merge === 'string'
        ? merge
        : (merge as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
            .map((part) => (typeof part === 'string' ? part : `<${JSON.stringify(part)}>`))
            .join('');

    it('GIVEN the property WHEN synthesized THEN its deployment targets its own thing group and rolls back on failure', () => {
      template(stacks.edge).hasResourceProperties('AWS::GreengrassV2::Deployment', {
        TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^ThingGroup${property().id}`), 'Arn'] },
        DeploymentName: `croupier-floor-cores-${property().id}`,
        DeploymentPolicies: Match.objectLike({ FailureHandlingPolicy: 'ROLLBACK' }),
        IotJobConfiguration: Match.objectLike({
          JobExecutionsRolloutConfig: Match.objectLike({
            ExponentialRate: Match.objectLike({ RateIncreaseCriteria: { NumberOfSucceededThings: 5 } }),
          }),
        }),
      });
      template(stacks.edge).hasResourceProperties('AWS::IoT::ThingGroup', {
        ThingGroupName: `${config.edge.fleetThingGroupPrefix}-${property().id}`,
      });
    });

    it('GIVEN the recipes WHEN synthesized THEN every Croupier component but FailureModel is deployed at its recipe version', () => {
      const recipes = readRecipeVersions();
      const deployed = components();
      const croupier = Object.keys(deployed).filter((name) => name.startsWith('com.croupier.'));
      expect(croupier.sort()).toEqual([...recipes.keys()].filter((n) => n !== 'com.croupier.FailureModel').sort());
      for (const name of croupier) expect(deployed[name]?.ComponentVersion, name).toBe(recipes.get(name));
      expect(JSON.stringify(deployment())).not.toContain('FailureModel');
      expect(deployed['aws.greengrass.Nucleus']?.ComponentVersion).toMatch(/^2\.\d+\.\d+$/);
    });

    it('GIVEN site data WHEN synthesized THEN Uplink, SlotGateway and ShufflerMonitor merges carry the property, machines and shufflers', () => {
      const deployed = components();
      const uplink = JSON.parse(mergeText(deployed['com.croupier.Uplink']?.ConfigurationUpdate?.Merge));
      expect(uplink.property).toBe(property().id);
      expect(
        uplink.accessControl['aws.greengrass.ipc.mqttproxy']['com.croupier.Uplink:mqttproxy:1'].resources,
      ).toContain(`croupier/${property().id}/{iot:thingName}/slot`);
      const monitor = JSON.parse(mergeText(deployed['com.croupier.ShufflerMonitor']?.ConfigurationUpdate?.Merge));
      expect(monitor).toEqual({ buses: property().site.shufflers.buses, devices: property().site.shufflers.devices });
      const gateway = JSON.parse(
        mergeText(deployed['com.croupier.SlotGateway']?.ConfigurationUpdate?.Merge).replace(/<[^>]*>/, 'SECRET_ARN'),
      );
      expect(gateway.machines).toEqual(property().site.machines);
    });

    it('GIVEN the player-token key WHEN synthesized THEN the merge holds a Secrets Manager dynamic reference to the generated, retained secret and no key', () => {
      const t = template(stacks.edge);
      const merge = components()['com.croupier.SlotGateway']?.ConfigurationUpdate?.Merge;
      const [secretId] = Object.keys(
        t.findResources('AWS::SecretsManager::Secret', {
          Properties: { Name: `croupier/${config.name}/${property().id}/player-token-key` },
        }),
      );
      expect(secretId).toBeDefined();
      expect(mergeText(merge)).toContain(
        `"playerTokenKeyHex":"{{resolve:secretsmanager:<${JSON.stringify({ Ref: secretId })}>:SecretString:::}}"`,
      );
      t.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: {
          Name: `croupier/${config.name}/${property().id}/player-token-key`,
          GenerateSecretString: Match.objectLike({
            PasswordLength: 64,
            ExcludeUppercase: true,
            ExcludePunctuation: true,
            ExcludeCharacters: 'ghijklmnopqrstuvwxyz',
          }),
          SecretString: Match.absent(),
        },
      });
      // No literal key anywhere in the stack: nothing that looks like 32+ bytes of hex.
      expect(JSON.stringify(t.toJSON())).not.toMatch(/[0-9a-fA-F]{64}/);
    });
  });

  it('GIVEN the artifacts bucket WHEN synthesized THEN it has the GDK name, KMS, versioning and access logs', () => {
    template(stacks.edge).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', [`${config.edge.componentBucketPrefix}-us-east-1-`, { Ref: 'AWS::AccountId' }]] },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: Match.objectLike({}),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'component-artifacts/' }),
    });
  });
});

describe('ProcessingStack', () => {
  it('GIVEN the slot processor WHEN synthesized THEN its event source bisects, reports item failures, and bounds retries and age', () => {
    template(stacks.processing).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 24 * 3600,
      ParallelizationFactor: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('OnFailure'), 'Arn'] } } },
    });
  });

  it('GIVEN the handler WHEN synthesized THEN it runs Node.js 22 on ARM64 with its own log retention', () => {
    const t = template(stacks.processing);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ PROPERTY_TIME_ZONE: config.floor.timeZone }) },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.retention.logDays });
  });

  it('GIVEN the on-failure queue WHEN synthesized THEN it is KMS-encrypted, TLS-only, kept 14 days and alarmed', () => {
    const t = template(stacks.processing);
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: config.retention.dlqDays * 86400,
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    for (const metric of ['IteratorAge', 'Errors', 'Throttles', 'ApproximateNumberOfMessagesVisible']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric, AlarmActions: [Match.anyValue()] });
    }
  });

  it('GIVEN declared table access WHEN synthesized THEN each processor gets its tables only, and responsible gaming read-only', () => {
    const policies = template(stacks.processing).findResources('AWS::IAM::Policy');
    /** Actions a processor's role has on one table, by the processor's construct id. */
    const onTable = (processor: string, table: string) =>
      Object.entries(policies)
        .filter(([logicalId]) => logicalId.startsWith(processor))
        .flatMap(
          ([, p]) =>
            (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
              .PolicyDocument.Statement,
        )
        .filter((st) => JSON.stringify(st.Resource).includes(`:table/${table}`))
        .flatMap(actionsOf);
    expect(onTable('SlotProcessor', 'croupier-responsible-gaming')).toContain('dynamodb:GetItem');
    expect(onTable('SlotProcessor', 'croupier-responsible-gaming')).not.toContain('dynamodb:PutItem');
    expect(onTable('SlotProcessor', 'croupier-players')).toContain('dynamodb:PutItem');
    expect(onTable('SlotProcessor', 'croupier-devices')).toEqual([]);
    expect(onTable('ShufflerProcessor', 'croupier-devices')).toContain('dynamodb:PutItem');
    expect(onTable('ShufflerProcessor', 'croupier-players')).toEqual([]);
    expect(onTable('SlotKpiWindow', 'croupier-alerts')).not.toContain('dynamodb:PutItem');
    expect(statements(template(stacks.processing)).flatMap(actionsOf)).not.toContain('dynamodb:*');
  });
});

describe('ProcessingStack KPI windows and shuffler processor', () => {
  it('GIVEN the KPI functions WHEN synthesized THEN each stream feeds one through one-minute tumbling windows', () => {
    const t = template(stacks.processing);
    const windows = t.findResources('AWS::Lambda::EventSourceMapping', { Properties: { TumblingWindowInSeconds: 60 } });
    expect(Object.keys(windows)).toHaveLength(2);
    for (const source of ['slot', 'shuffler']) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ KPI_SOURCE: source }) },
      });
    }
  });

  it('GIVEN the shuffler processor WHEN synthesized THEN it is told its alert topic and Timestream table, and may write only those', () => {
    const t = template(stacks.processing);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ALERT_TOPIC_ARN: Match.anyValue(),
          TIMESTREAM_DATABASE: 'croupier-dev',
          TIMESTREAM_TABLE: 'shuffler_telemetry',
        }),
      },
    });
    const all = statements(t);
    const write = all.find((s) => actionsOf(s).includes('timestream:WriteRecords'));
    expect(JSON.stringify(write?.Resource)).toContain(':database/croupier-dev/table/shuffler_telemetry');
    expect(all.filter((s) => actionsOf(s).includes('sns:Publish'))).toHaveLength(1);
  });
});

describe('ProcessingStack lake delivery', () => {
  it('GIVEN both streams WHEN synthesized THEN each has a Firehose delivery into raw/ through the transform', () => {
    const t = template(stacks.processing);
    t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', streams.length);
    t.allResourcesProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: Match.stringLikeRegexp('^raw/'),
        DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: Match.anyValue() },
      }),
    });
  });
});

describe('FloorApiStack', () => {
  it('GIVEN the API in the app WHEN synthesized THEN methods use IAM auth and the handler reads and writes only its tables', () => {
    const api = stacks.floorApi;
    expect(api).toBeDefined();
    const t = template(api!);
    t.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'AWS_IAM' });
    const all = statements(t);
    const onTable = (name: string) =>
      all.filter((s) => JSON.stringify(s.Resource).includes(`:table/${name}`)).flatMap(actionsOf);
    expect(onTable('croupier-offers')).toContain('dynamodb:PutItem');
    expect(onTable('croupier-players')).not.toContain('dynamodb:PutItem');
  });
});

describe('AlertsStack', () => {
  it('GIVEN configured subscribers WHEN synthesized THEN both topics are KMS-encrypted, TLS-only and subscribed', () => {
    const t = template(stacks.alerts);
    t.resourceCountIs('AWS::SNS::Topic', 2);
    t.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: config.alerts.maintenance[0]?.endpoint,
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });
});

describe('MlStack', () => {
  const definition = () => {
    const [machine] = Object.values(template(stacks.ml).findResources('AWS::StepFunctions::StateMachine'));
    return JSON.stringify((machine as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString);
  };

  it('GIVEN the pipeline WHEN synthesized THEN it runs dataset, training, gate and the release function in JSONata', () => {
    const d = definition();
    expect(d).toContain('JSONata');
    for (const fragment of [
      'sagemaker:createProcessingJob.sync',
      'sagemaker:createTrainingJob.sync',
      `$metric >= ${config.ml.evaluation.minimum}`,
      ':states:::lambda:invoke',
    ]) {
      expect(d).toContain(fragment);
    }
    expect(d).toContain('\\"CompressionType\\":\\"NONE\\"');
    expect(d).toContain(config.ml.instanceType);
  });

  /** The state machine definition with CloudFormation tokens replaced by a marker, as parsed JSON. */
  const states = () => {
    const [machine] = Object.values(template(stacks.ml).findResources('AWS::StepFunctions::StateMachine'));
    const parts = (machine as { Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } } }).Properties
      .DefinitionString['Fn::Join'][1];
    const text = parts.map((p) => (typeof p === 'string' ? p : 'CFN_TOKEN')).join('');
    return (JSON.parse(text) as { States: Record<string, Record<string, unknown>> }).States;
  };
  const expressions = (value: unknown): string[] =>
    typeof value === 'string'
      ? value.startsWith('{%')
        ? [value.slice(2, -2)]
        : []
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(expressions)
        : [];

  it('GIVEN every JSONata expression in the pipeline WHEN compiled THEN none has a syntax error', () => {
    const all = expressions(states());
    expect(all.length).toBeGreaterThan(8);
    for (const expression of all) expect(() => jsonata(expression), expression).not.toThrow();
  });

  it('GIVEN a finished training job WHEN the pipeline expressions run THEN the dataset location, gate and release payload come out right', async () => {
    const s = states();
    const vars = {
      jobName: 'croupier-dev-failure-1764000000',
      modelUri: 's3://artifacts/models/failure-model/croupier-dev-failure-1764000000/output/model/',
      metric: 0.91,
    };
    const run = (expression: unknown, input: unknown = {}) =>
      jsonata(expressions(expression)[0]!).evaluate(input, vars);

    const datasetUri = (await run((s['Build dataset']!.Assign as { datasetUri: string }).datasetUri)) as string;
    expect(datasetUri).toMatch(/\/datasets\/failure-model\/croupier-dev-failure-1764000000\/$/);

    const gate = (s['Evaluation gate']!.Choices as { Condition: string }[])[0]!.Condition;
    expect(await run(gate)).toBe(true);
    expect(await jsonata(expressions(gate)[0]!).evaluate({}, { ...vars, metric: 0.5 })).toBe(false);
    expect(await jsonata(expressions(gate)[0]!).evaluate({}, { ...vars, metric: undefined })).toBe(false);

    const payload = (s['Release FailureModel']!.Arguments as { Payload: { modelUri: string } }).Payload;
    expect(await run(payload.modelUri)).toBe(vars.modelUri);
  });

  it('GIVEN the pipeline role WHEN synthesized THEN training jobs and pass-role are scoped', () => {
    const all = statements(template(stacks.ml));
    const find = (action: string) => all.find((s) => actionsOf(s).includes(action));
    expect(JSON.stringify(find('sagemaker:CreateTrainingJob')?.Resource)).toContain(
      'training-job/croupier-dev-failure-*',
    );
    expect(find('iam:PassRole')?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    });
    // Greengrass is the release function's (ml-release.test.ts): its role names the model group only.
    expect(JSON.stringify(find('greengrass:CreateDeployment')?.Resource)).toContain('ModelThingGroup');
  });

  it('GIVEN the schedule WHEN synthesized THEN EventBridge starts the pipeline, logged fully and traced', () => {
    const t = template(stacks.ml);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: config.ml.schedule,
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^TrainingPipeline') } })],
    });
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    t.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
  });
});

describe('ObservabilityStack', () => {
  it('GIVEN the properties WHEN synthesized THEN spool age alarms per property on the edge metric, missing data breaching', () => {
    template(stacks.observability).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Croupier/Edge',
      MetricName: 'SpoolOldestAgeSeconds',
      Dimensions: [{ Name: 'PropertyId', Value: config.properties[0]?.id }],
      TreatMissingData: 'breaching',
    });
  });

  it('GIVEN the topic rules and streams WHEN synthesized THEN rule failures and write throttling alarm, and a dashboard exists', () => {
    const t = template(stacks.observability);
    for (const rule of topicRules) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/IoT',
        MetricName: 'Failure',
        Dimensions: [
          { Name: 'ActionType', Value: 'Kinesis' },
          { Name: 'RuleName', Value: rule.name },
        ],
      });
    }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'WriteProvisionedThroughputExceeded' });
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
