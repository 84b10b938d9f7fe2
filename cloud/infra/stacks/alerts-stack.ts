import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/schema.js';

type Subscriber = EnvironmentConfig['alerts']['maintenance'][number];

export interface AlertsStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * Where people are told things: maintenance alerts (shuffler failure risk, for slot and table
 * technicians) and operational alarms (the cloud itself, for on-call). Both topics are encrypted
 * with a key CloudWatch alarms may use, and subscribers come from configuration.
 */
export class AlertsStack extends Stack {
  readonly key: kms.Key;
  readonly maintenanceTopic: sns.Topic;
  readonly operationsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.key = new kms.Key(this, 'AlertsKey', {
      alias: `alias/croupier/${config.name}/alerts`,
      description: 'Croupier alert topics and failure queues',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted topics as the CloudWatch service principal.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.maintenanceTopic = this.topic('MaintenanceAlerts', 'Croupier maintenance alerts', config.alerts.maintenance);
    this.operationsTopic = this.topic('OperationalAlarms', 'Croupier operational alarms', config.alerts.operations);
  }

  private topic(id: string, displayName: string, subscribers: readonly Subscriber[]): sns.Topic {
    const topic = new sns.Topic(this, id, { displayName, masterKey: this.key, enforceSSL: true });
    for (const s of subscribers) {
      topic.addSubscription(
        s.protocol === 'email'
          ? new subscriptions.EmailSubscription(s.endpoint)
          : s.protocol === 'sms'
            ? new subscriptions.SmsSubscription(s.endpoint)
            : new subscriptions.UrlSubscription(s.endpoint, { protocol: sns.SubscriptionProtocol.HTTPS }),
      );
    }
    return topic;
  }
}
