import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { TopicRuleDefinition } from '../../definitions/topic-rules.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { EDGE_DIMENSIONS, EDGE_METRICS_NAMESPACE, SPOOL_AGE_METRIC } from '../constructs/edge-metrics.js';
import type { StreamProcessor } from '../constructs/stream-processor.js';

/** A core whose spool holds an envelope older than this is not getting data to the cloud. */
export const SPOOL_AGE_ALARM_SECONDS = 15 * 60;

export interface ObservabilityStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly operationsTopic: sns.ITopic;
  readonly streams: ReadonlyMap<string, kinesis.IStream>;
  readonly topicRules: readonly TopicRuleDefinition[];
  readonly processors: ReadonlyMap<string, StreamProcessor>;
  readonly trainingPipeline: sfn.IStateMachine;
}

/**
 * The operations view: one dashboard from the floor to the lake, and the alarms that are not owned
 * by a single construct (edge spool age, IoT rule failures, stream write throttling, the training
 * pipeline). Processor alarms (iterator age, errors, throttles, failed records) live with each
 * StreamProcessor and are shown here.
 */
export class ObservabilityStack extends Stack {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const minute = Duration.minutes(1);
    const five = Duration.minutes(5);
    const notify = (alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(new actions.SnsAction(props.operationsTopic));
      alarm.addOkAction(new actions.SnsAction(props.operationsTopic));
      this.alarms.push(alarm);
      return alarm;
    };

    const spoolAge = config.properties.map(
      (p) =>
        new cloudwatch.Metric({
          namespace: EDGE_METRICS_NAMESPACE,
          metricName: SPOOL_AGE_METRIC,
          dimensionsMap: { [EDGE_DIMENSIONS.property]: p.id },
          statistic: 'Maximum',
          period: minute,
        }),
    );
    for (const [i, p] of config.properties.entries()) {
      notify(
        new cloudwatch.Alarm(this, `SpoolAge-${p.id}`, {
          metric: spoolAge[i]!,
          threshold: SPOOL_AGE_ALARM_SECONDS,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          // Cores that stop reporting altogether are as bad as a growing spool.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          alarmDescription: `A core at ${p.name} has held uplink data for over ${SPOOL_AGE_ALARM_SECONDS / 60} minutes, or no core reports.`,
        }),
      );
    }

    const ruleFailures = props.topicRules.map(
      (r) =>
        new cloudwatch.Metric({
          namespace: 'AWS/IoT',
          metricName: 'Failure',
          // IoT publishes action metrics per rule and action type.
          dimensionsMap: { RuleName: r.name, ActionType: 'Kinesis' },
          statistic: 'Sum',
          period: five,
        }),
    );
    for (const [i, r] of props.topicRules.entries()) {
      notify(
        new cloudwatch.Alarm(this, `RuleFailures-${r.name}`, {
          metric: ruleFailures[i]!,
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `Topic rule ${r.name} failed actions; the failed messages are under errors/iot-rules/ in the lake.`,
        }),
      );
    }

    const streamWidgets: cloudwatch.IWidget[] = [];
    for (const [streamId, stream] of props.streams) {
      notify(
        new cloudwatch.Alarm(this, `WriteThrottled-${streamId}`, {
          // IoT rules write with PutRecord, so the stream-level metric covers them (PutRecords.* would not).
          metric: stream.metricWriteProvisionedThroughputExceeded({ period: five, statistic: 'Sum' }),
          threshold: 0,
          evaluationPeriods: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `Kinesis ${stream.streamName} is throttling writes: add shards.`,
        }),
      );
      streamWidgets.push(
        new cloudwatch.GraphWidget({
          title: `Kinesis ${streamId}`,
          left: [stream.metricIncomingRecords({ period: minute, statistic: 'Sum' })],
          right: [stream.metricGetRecordsIteratorAgeMilliseconds({ period: minute, statistic: 'Maximum' })],
          width: 12,
        }),
      );
    }

    notify(
      new cloudwatch.Alarm(this, 'TrainingPipelineFailed', {
        metric: props.trainingPipeline.metricFailed({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: 'The failure-model training pipeline failed.',
      }),
    );

    const processorWidgets = [...props.processors].map(
      ([name, p]) =>
        new cloudwatch.GraphWidget({
          title: `Processor ${name}`,
          left: [
            p.function.metricInvocations({ period: minute }),
            p.function.metricErrors({ period: minute }),
            p.function.metricThrottles({ period: minute }),
          ],
          right: [p.function.metric('IteratorAge', { statistic: 'Maximum', period: minute })],
          width: 12,
        }),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `croupier-${config.name}`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Edge spool age (s)',
            left: spoolAge.map((m, i) => m.with({ label: config.properties[i]!.name })),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'IoT rule failures',
            left: ruleFailures.map((m, i) => m.with({ label: props.topicRules[i]!.name })),
            width: 12,
          }),
        ],
        streamWidgets,
        processorWidgets,
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...this.alarms, ...[...props.processors.values()].flatMap((p) => p.alarms)],
            width: 24,
          }),
        ],
      ],
    });
  }
}
