import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoDbDocumentClient, createSnsClient } from '@croupier/cloud/aws/clients';
import { streamById } from '@croupier/cloud/definitions/streams';
import type { EnvironmentConfig } from '@croupier/cloud/infra/config/schema';
import { PROCESSORS, type ProcessorDeclaration } from '@croupier/cloud/infra/stacks/processing-stack';
import { TIMESTREAM_TABLES } from '@croupier/cloud/infra/stacks/storage-stack';
import type { KinesisEventSourceMapping } from '@croupier/cloud/local/event-source-mapping/kinesis-event-source-mapping';
import type { MappedKinesisHandler } from '@croupier/cloud/local/event-source-mapping/lambda-context';
import { LOCAL_CREDENTIALS, type LocalCloud } from '@croupier/cloud/local/local-cloud';
import { defaultTableNames } from '@croupier/cloud/src/common/table-names';
import { parseEnv } from '@croupier/cloud/src/config/env';
import { createShufflerHandler } from '@croupier/cloud/src/handlers/shuffler-processor';
import { createSlotHandler } from '@croupier/cloud/src/handlers/slot-processor';
import { KpiStore } from '@croupier/cloud/src/kpi/kpi-store';
import { handleKpiWindow, type TumblingWindowEvent } from '@croupier/cloud/src/kpi/kpi-window';
import { countOpenAlerts } from '@croupier/cloud/src/kpi/open-alerts';
import { createIotDataClient } from '@croupier/cloud/src/offers/iot-data-client';
import { OfferEnv } from '@croupier/cloud/src/offers/offer-env';
import { IotOfferPublisher } from '@croupier/cloud/src/offers/offer-publisher';
import { createOfferStage } from '@croupier/cloud/src/offers/offer-stage-factory';
import { GamingDayCalendar } from '@croupier/cloud/src/rating/gaming-day';
import { RatingEnv } from '@croupier/cloud/src/rating/rating-env';
import { SnsAlertNotifier } from '@croupier/cloud/src/shuffler-health/alert-notifier';
import { HealthEnv } from '@croupier/cloud/src/shuffler-health/health-env';

/** A stream processor attached to its stream, or why it is not. */
export type AttachedProcessor =
  | { readonly id: string; readonly stream: string; readonly mapping: KinesisEventSourceMapping }
  | { readonly id: string; readonly stream: string; readonly skipped: string };

type Handle = MappedKinesisHandler['handle'];

/**
 * Attaches every stream processor the CDK app declares (`PROCESSORS` in the processing stack) to
 * the local cloud's Kinesis streams, with the same event-source-mapping settings, each built from
 * its handler's own factory and environment schema. The function environment is what CDK would
 * set, with the local stand-ins' endpoints passed as SDK endpoint configuration.
 */
export async function attachStreamProcessors(
  cloud: LocalCloud,
  environment: EnvironmentConfig,
  region: string,
): Promise<AttachedProcessor[]> {
  const aws = { region, credentials: LOCAL_CREDENTIALS };
  // The Lambda runtime gives every function AWS_REGION and its role's credentials in the
  // environment, and clients built from a bare endpoint (the offer publisher's IoT data-plane
  // client) rely on them; these functions run in this process, against stand-ins only.
  process.env.AWS_REGION ??= region;
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  const dynamo = createDynamoDbDocumentClient({ endpoint: cloud.endpoints.dynamodb, ...aws });
  const tables = defaultTableNames();
  const logger = (serviceName: string) => new Logger({ serviceName, logLevel: 'WARN' });
  const metrics = (serviceName: string) => new Metrics({ namespace: 'Croupier', serviceName });

  const build = (declaration: ProcessorDeclaration): Handle | string => {
    // What the processing stack sets: the handler's own settings, plus alert and Timestream names.
    const functionEnv: NodeJS.ProcessEnv = {
      ...declaration.environment?.(environment),
      ...(declaration.access.maintenanceAlerts
        ? { ALERT_TOPIC_ARN: cloud.endpoints.env.CROUPIER_MAINTENANCE_TOPIC_ARN }
        : {}),
      ...(declaration.access.timestream
        ? {
            TIMESTREAM_DATABASE: cloud.endpoints.env.CROUPIER_TIMESTREAM_DATABASE,
            TIMESTREAM_TABLE: TIMESTREAM_TABLES.shufflerTelemetry,
          }
        : {}),
    };
    switch (declaration.handler) {
      case 'slot-processor.ts': {
        if (!cloud.endpoints.iotDataPlane) return 'needs the local IoT Core data plane for offers';
        const rating = parseEnv(RatingEnv, functionEnv);
        const offers = parseEnv(OfferEnv, { ...functionEnv, IOT_DATA_ENDPOINT: cloud.endpoints.iotDataPlane });
        const log = logger('slot-processor');
        const handle = createSlotHandler({
          dynamo,
          rating,
          logger: log,
          metrics: metrics('slot-processor'),
          offers: createOfferStage({
            dynamo,
            tables,
            config: offers.config,
            publisher: new IotOfferPublisher(createIotDataClient(offers.iotDataEndpoint)),
            calendar: new GamingDayCalendar(rating.timeZone, rating.gamingDayStartHour),
            onError: (message, error) => log.error(message, error as Error),
          }),
        });
        return (event) => handle(event);
      }
      case 'shuffler-processor.ts': {
        const env = parseEnv(HealthEnv, functionEnv);
        const handle = createShufflerHandler({
          dynamo,
          // The Timestream stand-in is in process: the sink sends it the requests the production sink builds.
          sink: cloud.timeSeriesSink(TIMESTREAM_TABLES.shufflerTelemetry),
          notifier: new SnsAlertNotifier(createSnsClient({ ...aws, endpoint: cloud.endpoints.sns }), env.topicArn),
          health: env.health,
          logger: logger('shuffler-processor'),
          metrics: metrics('shuffler-processor'),
        });
        return (event) => handle(event);
      }
      case 'kpi-window.ts': {
        const source = functionEnv.KPI_SOURCE === 'slot' ? 'slot' : 'shuffler';
        const ports = {
          source,
          store: new KpiStore(dynamo, tables.kpis),
          metrics: metrics(`kpi-${source}`),
          logger: logger(`kpi-${source}`),
          openAlerts: () => countOpenAlerts(dynamo, tables.alerts),
          now: Date.now,
        } as const;
        return (event) => handleKpiWindow(event as unknown as TumblingWindowEvent, ports);
      }
      default:
        return `no local wiring for handler ${declaration.handler}`;
    }
  };

  const attached: AttachedProcessor[] = [];
  for (const declaration of PROCESSORS) {
    const stream = streamById(declaration.stream).name;
    const handle = build(declaration);
    if (typeof handle === 'string') {
      attached.push({ id: declaration.id, stream, skipped: handle });
      continue;
    }
    const { read } = declaration;
    const mapping = await cloud.attachFunction(
      {
        FunctionName: declaration.id,
        StreamName: stream,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: read.batchSize,
        MaximumBatchingWindowInSeconds: read.maxBatchingWindow.toSeconds(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: read.retryAttempts,
        MaximumRecordAgeInSeconds: read.maxRecordAge.toSeconds(),
        ...(read.tumblingWindow ? { TumblingWindowInSeconds: read.tumblingWindow.toSeconds() } : {}),
      },
      handle,
    );
    attached.push({ id: declaration.id, stream, mapping });
  }
  return attached;
}
