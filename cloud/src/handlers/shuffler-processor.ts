import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createDynamoDbDocumentClient, createSnsClient, createTimestreamWriteClient } from '../../aws/clients.js';
import { DeadLetterStore } from '../common/dead-letter-store.js';
import { defaultTableNames, type TableNames } from '../common/table-names.js';
import { parseEnv } from '../config/env.js';
import { SequenceStore } from '../ingest/sequence-store.js';
import { type AlertNotifier, SnsAlertNotifier } from '../shuffler-health/alert-notifier.js';
import type { HealthConfig } from '../shuffler-health/device-health.js';
import { DeviceStore } from '../shuffler-health/device-store.js';
import { HealthEnv } from '../shuffler-health/health-env.js';
import { ShufflerProcessor } from '../shuffler-health/shuffler-processor.js';
import { lakeOnlySink, type TimeSeriesSink } from '../shuffler-health/time-series-sink.js';
import { TimestreamSink } from '../shuffler-health/timestream-sink.js';

export interface ShufflerHandlerDependencies {
  readonly dynamo: DynamoDBDocumentClient;
  readonly sink: TimeSeriesSink;
  readonly notifier: AlertNotifier;
  readonly health: HealthConfig;
  readonly tables?: TableNames;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

/** Builds the shuffler processor's Lambda handler from its dependencies. */
export function createShufflerHandler(deps: ShufflerHandlerDependencies) {
  const tables = deps.tables ?? defaultTableNames();
  const logger = deps.logger ?? new Logger({ serviceName: 'shuffler-processor' });
  const metrics = deps.metrics ?? new Metrics({ namespace: 'Croupier', serviceName: 'shuffler-processor' });
  const processor = new ShufflerProcessor({
    sink: deps.sink,
    devices: new DeviceStore(deps.dynamo, tables),
    notifier: deps.notifier,
    sequences: new SequenceStore(deps.dynamo, tables.ingest),
    deadLetters: new DeadLetterStore(deps.dynamo, tables.ingest, 'shuffler-processor'),
    config: deps.health,
    now: deps.now ?? Date.now,
    onError: (message, error) => logger.error(message, error as Error),
  });
  return async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const { response, summary } = await processor.process(event);
    metrics.addMetric('ShufflerEvents', MetricUnit.Count, summary.events);
    metrics.addMetric('ShufflerDuplicates', MetricUnit.Count, summary.duplicates);
    metrics.addMetric('ShufflerDeadLetters', MetricUnit.Count, summary.deadLetters);
    metrics.addMetric('TimeSeriesRecords', MetricUnit.Count, summary.timeSeriesRecords);
    metrics.addMetric('AlertsRaised', MetricUnit.Count, summary.alertsRaised);
    metrics.addMetric('AlertsResolved', MetricUnit.Count, summary.alertsResolved);
    metrics.addMetric('DeviceWriteFailures', MetricUnit.Count, summary.failedDevices);
    metrics.publishStoredMetrics();
    logger.debug('shuffler batch processed', { summary });
    return response;
  };
}

let built: ((event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>) | undefined;

/** Lambda entry point; configuration from the environment only, parsed once per execution environment. */
export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  if (!built) {
    const env = parseEnv(HealthEnv);
    built = createShufflerHandler({
      dynamo: createDynamoDbDocumentClient(),
      sink: env.timestream
        ? new TimestreamSink(createTimestreamWriteClient(), env.timestream.database, env.timestream.table)
        : lakeOnlySink,
      notifier: new SnsAlertNotifier(createSnsClient(), env.topicArn),
      health: env.health,
    });
  }
  return built(event);
};
