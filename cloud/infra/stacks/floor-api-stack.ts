import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/schema.js';
import { CroupierFunction } from '../constructs/croupier-function.js';
import { acknowledge, resourceFinding } from '../constructs/nag.js';
import { handlerEntry } from '../constructs/paths.js';
import { grantTableAccess, type TableMode } from '../constructs/table-access.js';

export interface FloorApiStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly logRetention: logs.RetentionDays;
  /** Handler file under `cloud/src/handlers/` serving the whole API (one HTTP app behind a proxy route). */
  readonly handler: string;
  /** Tables (ids in `cloud/definitions/tables.ts`) the API reads or also writes (offer responses, alert acknowledgements). */
  readonly tables: Readonly<Record<string, TableMode>>;
  /** Key the tables are encrypted with. */
  readonly dataKey: kms.IKey;
  /** Publishes downlink messages (offers, commands) to cores over IoT Core. */
  readonly publishesDownlink: boolean;
}

/**
 * The floor API for games, apps and the dashboard: API Gateway REST API with IAM (SigV4)
 * authorization on every method, stage throttling, JSON access logs, request validation, and one
 * Lambda serving the same HTTP app the local floor serves.
 */
export class FloorApiStack extends Stack {
  readonly api: apigateway.RestApi;
  readonly handler: CroupierFunction;

  constructor(scope: Construct, id: string, props: FloorApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.handler = new CroupierFunction(this, 'Handler', {
      entry: handlerEntry(props.handler),
      description: 'Floor API: players, offers, devices, alerts, KPIs',
      memorySize: 1024,
      timeout: Duration.seconds(15),
      logRetention: props.logRetention,
      // API Gateway has authenticated the caller (IAM); the app still refuses requests without a verified identity.
      environment: { API_AUTH_MODE: 'gateway' },
    });
    for (const [tableId, mode] of Object.entries(props.tables)) {
      grantTableAccess(this, this.handler.role, tableId, mode, props.dataKey);
    }
    if (props.publishesDownlink) {
      const topic = (leaf: string) =>
        `arn:${this.partition}:iot:${this.region}:${this.account}:topic/croupier/*/*/${leaf}`;
      const downlink = [topic('offers'), topic('cmd/*')];
      this.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:Publish'], resources: downlink }));
      this.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }));
      acknowledge(this.handler.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The API pushes offers and commands to any core (property and core are request data), and only to those two downlink topics; iot:DescribeEndpoint has no resource-level permissions.',
          findings: [...downlink.map((r) => resourceFinding(this, r)), 'Resource::*'],
        },
      ]);
    }

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'FloorApi', {
      restApiName: `croupier-${config.name}-floor`,
      description: 'Croupier floor API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: config.api.rateLimit,
        throttlingBurstLimit: config.api.burstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      defaultIntegration: new apigateway.LambdaIntegration(this.handler.function, { proxy: true }),
    });
    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    // One proxy route: the HTTP app validates every request body with the contract's zod schemas.
    this.api.root.addProxy({ anyMethod: true, defaultMethodOptions: { requestValidator: validator } });
    this.api.root.addMethod('GET', undefined, { requestValidator: validator });

    acknowledge(this.api, [
      {
        id: 'AwsSolutions-APIG3',
        reason:
          "Every method requires SigV4 (IAM) and callers are the property's own apps; stage throttling bounds abuse. Attach a WAF web ACL where the API is reachable from untrusted networks.",
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are machines and back-office apps with IAM identities; methods use IAM authorization, not Cognito.',
      },
      {
        id: 'AwsSolutions-IAM4',
        reason:
          "API Gateway's account-level CloudWatch role uses the AWS-managed push-to-logs policy, the only supported way.",
        findings: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
      },
    ]);
  }
}
