import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as greengrass from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { corePolicy } from '../../local/iot/core-policy.js';
import { renderIotPolicyDocument, THING_NAME_VARIABLE } from '../../local/iot/policy.js';
import { names } from '../config/names.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { readRecipeVersions } from '../constructs/component-recipes.js';
import { EDGE_METRICS_NAMESPACE } from '../constructs/edge-metrics.js';
import { readFleetDeploymentTemplate, renderFleetDeployment } from '../constructs/fleet-deployment.js';
import { acknowledge, resourceFinding } from '../constructs/nag.js';

export interface EdgeStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly accessLogsBucket: s3.IBucket;
}

/** What the Edge stack creates for one property's floor cores. */
export interface PropertyEdge {
  readonly thingGroup: iot.CfnThingGroup;
  /** The player-token HMAC key; reaches the cores only through the deployment's dynamic reference. */
  readonly playerTokenKey: secretsmanager.Secret;
  readonly provisioningTemplate: iot.CfnProvisioningTemplate;
  /** The fleet deployment rendered from `recipes/floor-core.deployment.yaml`. */
  readonly deployment: greengrass.CfnDeployment;
}

/**
 * The floor cores' side of AWS: the IoT policy every core certificate carries, the token-exchange
 * role behind the role alias, the component-artifact bucket, the model thing group, and per
 * property: its thing group, player-token key, fleet-provisioning template and fleet deployment.
 *
 * Deployment ownership (see docs/fleet-deployment-ownership.md): this stack is the only writer of
 * each property group's deployment, rendered from `recipes/floor-core.deployment.yaml`. The
 * training pipeline owns the deployment of the model thing group, which carries FailureModel
 * only; every core is a member of its property's group and of the model group, and Greengrass
 * merges the two deployments on the core. Neither owner ever writes the other's.
 */
export class EdgeStack extends Stack {
  readonly artifactsKey: kms.Key;
  readonly artifactsBucket: s3.Bucket;
  readonly tokenExchangeRole: iam.Role;
  readonly modelThingGroupArn: string;
  readonly corePolicy: iot.CfnPolicy;
  readonly claimPolicy: iot.CfnPolicy;
  /** Per property id. */
  readonly properties: ReadonlyMap<string, PropertyEdge>;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const edge = config.edge;
    const iotArn = (resource: string) => `arn:${this.partition}:iot:${this.region}:${this.account}:${resource}`;

    this.artifactsKey = new kms.Key(this, 'ArtifactsKey', {
      alias: `alias/croupier/${config.name}/component-artifacts`,
      description: 'Croupier Greengrass component artifacts (code and models)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // GDK publishes to `{bucket}-{region}-{account}`; naming the bucket the same way lets
    // `gdk component publish` and the training pipeline share it without extra configuration.
    this.artifactsBucket = new s3.Bucket(this, 'ComponentArtifacts', {
      bucketName: names.artifactsBucket(config, this),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.artifactsKey,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'component-artifacts/',
      lifecycleRules: [
        { id: 'noncurrent', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Token exchange: what components may do with AWS credentials. Uplink publishes over IPC
    // (no credentials); the nucleus downloads artifacts and cores report the spool-age metric.
    this.tokenExchangeRole = new iam.Role(this, 'TokenExchangeRole', {
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Greengrass token exchange for Croupier cores: artifact download, edge metrics',
      maxSessionDuration: Duration.hours(1),
    });
    this.tokenExchangeRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.artifactsBucket.arnForObjects('*')] }),
    );
    this.tokenExchangeRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.artifactsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
      }),
    );
    this.tokenExchangeRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': EDGE_METRICS_NAMESPACE } },
      }),
    );
    acknowledge(this.tokenExchangeRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Artifacts are read by key under the artifact bucket (object names are set by GDK and the training pipeline); PutMetricData has no resource ARN and is limited by the cloudwatch:namespace condition.',
        findings: [resourceFinding(this, this.artifactsBucket.arnForObjects('*')), 'Resource::*'],
      },
    ]);
    const roleAlias = new iot.CfnRoleAlias(this, 'TokenExchangeRoleAlias', {
      roleAlias: edge.roleAliasName,
      roleArn: this.tokenExchangeRole.roleArn,
      credentialDurationSeconds: 3600,
    });

    const propertyGroups = config.properties.map(
      (property) =>
        new iot.CfnThingGroup(this, `ThingGroup-${property.id}`, {
          thingGroupName: names.propertyThingGroup(config, property.id),
          thingGroupProperties: {
            thingGroupDescription: `Croupier floor cores of ${property.name}: the fleet deployment (owned by CDK)`,
          },
        }),
    );
    const modelGroup = new iot.CfnThingGroup(this, 'ModelThingGroup', {
      thingGroupName: edge.modelThingGroupName,
      thingGroupProperties: {
        thingGroupDescription: 'Croupier floor cores: the FailureModel deployment (owned by the training pipeline)',
      },
    });
    this.modelThingGroupArn = modelGroup.attrArn;

    const mqttStatements = renderIotPolicyDocument(corePolicy, {
      region: this.region,
      account: this.account,
    }).Statement;
    const thing = THING_NAME_VARIABLE;
    this.corePolicy = new iot.CfnPolicy(this, 'CorePolicy', {
      policyName: edge.corePolicyName,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          // Croupier's own topics: the one definition shared with the local floor.
          ...mqttStatements,
          // What the Greengrass nucleus itself needs (deployments via jobs and shadows, health,
          // client-device certificate management), each scoped to the core's own thing name.
          {
            Effect: 'Allow',
            Action: ['iot:Publish', 'iot:Receive'],
            Resource: [
              iotArn(`topic/$aws/things/${thing}/jobs/*`),
              iotArn(`topic/$aws/things/${thing}/shadow/*`),
              iotArn(`topic/$aws/things/${thing}-gci/shadow/*`),
              iotArn(`topic/$aws/things/${thing}/greengrass/health/json`),
              iotArn(`topic/$aws/things/${thing}/greengrassv2/health/json`),
            ],
          },
          {
            Effect: 'Allow',
            Action: ['iot:Subscribe'],
            Resource: [
              iotArn(`topicfilter/$aws/things/${thing}/jobs/*`),
              iotArn(`topicfilter/$aws/things/${thing}/shadow/*`),
              iotArn(`topicfilter/$aws/things/${thing}-gci/shadow/*`),
            ],
          },
          {
            Effect: 'Allow',
            Action: ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow'],
            Resource: [iotArn(`thing/${thing}`), iotArn(`thing/${thing}-gci`)],
          },
          { Effect: 'Allow', Action: ['iot:AssumeRoleWithCertificate'], Resource: [roleAlias.attrRoleAliasArn] },
          {
            Effect: 'Allow',
            Action: [
              'greengrass:GetComponentVersionArtifact',
              'greengrass:ResolveComponentCandidates',
              'greengrass:GetDeploymentConfiguration',
              'greengrass:ListThingGroupsForCoreDevice',
              'greengrass:GetConnectivityInfo',
              'greengrass:UpdateConnectivityInfo',
              'greengrass:PutCertificateAuthorities',
              'greengrass:VerifyClientDeviceIdentity',
              'greengrass:VerifyClientDeviceIoTCertificateAssociation',
            ],
            Resource: ['*'],
          },
        ],
      },
    });

    this.claimPolicy = new iot.CfnPolicy(this, 'ClaimPolicy', {
      policyName: `${edge.corePolicyName}-claim`,
      policyDocument: this.claimPolicyDocument(
        iotArn,
        config.properties.map((p) => names.provisioningTemplate(config, p.id)),
        edge.claimClientIdPrefix,
      ),
    });

    const provisioningRole = new iam.Role(this, 'ProvisioningRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Fleet provisioning: create the core thing, activate its certificate, attach the core policy',
    });
    provisioningRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iot:CreateThing', 'iot:DescribeThing', 'iot:UpdateThing', 'iot:AttachThingPrincipal'],
        resources: [iotArn('thing/*')],
      }),
    );
    provisioningRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iot:AddThingToThingGroup', 'iot:DescribeThingGroup', 'iot:ListThingGroupsForThing'],
        resources: [...propertyGroups.map((g) => g.attrArn), modelGroup.attrArn, iotArn('thing/*')],
      }),
    );
    provisioningRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:AttachPolicy'],
        resources: [iotArn('cert/*')],
      }),
    );
    provisioningRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iot:GetPolicy', 'iot:AttachPolicy'],
        resources: [iotArn(`policy/${edge.corePolicyName}`)],
      }),
    );
    acknowledge(provisioningRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Fleet provisioning creates things and certificates whose names and ids exist only at claim time; thing groups and the policy are named exactly.',
        findings: [resourceFinding(this, iotArn('thing/*')), resourceFinding(this, iotArn('cert/*'))],
      },
    ]);

    const template = readFleetDeploymentTemplate();
    const recipeVersions = readRecipeVersions();
    const properties = new Map<string, PropertyEdge>();
    for (const [i, property] of config.properties.entries()) {
      const thingGroup = propertyGroups[i] as iot.CfnThingGroup;
      const provisioningTemplate = new iot.CfnProvisioningTemplate(this, `ProvisioningTemplate-${property.id}`, {
        templateName: names.provisioningTemplate(config, property.id),
        description: `Croupier floor core of ${property.name}: thing in the property and model groups, active certificate, core policy`,
        enabled: true,
        provisioningRoleArn: provisioningRole.roleArn,
        templateBody: Stack.of(this).toJsonString({
          Parameters: {
            ThingName: { Type: 'String' },
            'AWS::IoT::Certificate::Id': { Type: 'String' },
          },
          Resources: {
            thing: {
              Type: 'AWS::IoT::Thing',
              OverrideSettings: { AttributePayload: 'MERGE', ThingGroups: 'DO_NOTHING', ThingTypeName: 'REPLACE' },
              Properties: {
                ThingName: { Ref: 'ThingName' },
                ThingGroups: [names.propertyThingGroup(config, property.id), edge.modelThingGroupName],
                AttributePayload: { property: property.id },
              },
            },
            certificate: {
              Type: 'AWS::IoT::Certificate',
              Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'Active' },
            },
            policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: edge.corePolicyName } },
          },
        }),
      });
      for (const dependency of [this.corePolicy, thingGroup, modelGroup, provisioningRole]) {
        provisioningTemplate.node.addDependency(dependency);
      }

      // Generated in Secrets Manager, so no person or file ever holds it: 64 hex digits = 32 bytes.
      const playerTokenKey = new secretsmanager.Secret(this, `PlayerTokenKey-${property.id}`, {
        secretName: names.playerTokenKeySecret(config, property.id),
        description: `HMAC key for player tokens on the floor cores of ${property.name} (hex)`,
        generateSecretString: {
          passwordLength: 64,
          excludePunctuation: true,
          excludeUppercase: true,
          includeSpace: false,
          excludeCharacters: 'ghijklmnopqrstuvwxyz',
          requireEachIncludedType: false,
        },
        // Player tokens stay comparable across time only while the key does: never lose it.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(playerTokenKey, [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'A player token is HMAC(key, card number); rotating the key on a schedule would give every player a new identity and split their history. Re-keying is a planned operation (docs/fleet-deployment-ownership.md).',
        },
      ]);

      const rendered = renderFleetDeployment(
        template,
        {
          property: property.id,
          machines: property.site.machines,
          shufflerBuses: property.site.shufflers.buses,
          shufflerDevices: property.site.shufflers.devices,
          // `{{resolve:secretsmanager:...}}`: CloudFormation resolves it while it creates or
          // updates the deployment, so the key appears in neither the repository nor the template.
          playerTokenKeyHex: playerTokenKey.secretValue.unsafeUnwrap(),
        },
        recipeVersions,
      );
      const deployment = new greengrass.CfnDeployment(this, `FleetDeployment-${property.id}`, {
        targetArn: thingGroup.attrArn,
        deploymentName: rendered.deploymentName,
        components: rendered.components,
        deploymentPolicies: rendered.deploymentPolicies,
        iotJobConfiguration: rendered.iotJobConfiguration,
      });
      deployment.node.addDependency(thingGroup);
      properties.set(property.id, { thingGroup, playerTokenKey, provisioningTemplate, deployment });
    }
    this.properties = properties;
  }

  /** The claim certificate may only connect under its client-id prefix and use the provisioning topics. */
  private claimPolicyDocument(iotArn: (r: string) => string, templateNames: readonly string[], clientIdPrefix: string) {
    const exact = [
      '$aws/certificates/create/json',
      '$aws/certificates/create-from-csr/json',
      ...templateNames.map((name) => `$aws/provisioning-templates/${name}/provision/json`),
    ];
    const topics = exact.map((t) => `${t}/*`);
    return {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iot:Connect'], Resource: [iotArn(`client/${clientIdPrefix}-*`)] },
        { Effect: 'Allow', Action: ['iot:Publish'], Resource: exact.map((t) => iotArn(`topic/${t}`)) },
        { Effect: 'Allow', Action: ['iot:Receive'], Resource: topics.map((t) => iotArn(`topic/${t}`)) },
        { Effect: 'Allow', Action: ['iot:Subscribe'], Resource: topics.map((t) => iotArn(`topicfilter/${t}`)) },
      ],
    };
  }
}
