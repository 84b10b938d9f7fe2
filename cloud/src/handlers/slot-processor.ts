import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createDynamoDbDocumentClient } from '../../aws/clients.js';
import { DeadLetterStore } from '../common/dead-letter-store.js';
import { defaultTableNames, type TableNames } from '../common/table-names.js';
import { parseEnv } from '../config/env.js';
import { SequenceStore } from '../ingest/sequence-store.js';
import { createIotDataClient } from '../offers/iot-data-client.js';
import { OfferEnv } from '../offers/offer-env.js';
import { IotOfferPublisher } from '../offers/offer-publisher.js';
import { createOfferStage } from '../offers/offer-stage-factory.js';
import { GamingDayCalendar } from '../rating/gaming-day.js';
import type { RatingConfig } from '../rating/rating-config.js';
import { RatingEnv } from '../rating/rating-env.js';
import { RatingStore } from '../rating/rating-store.js';
import { type OfferResponseRecorder, type RatedPlayersListener, SlotProcessor } from '../rating/slot-processor.js';

export interface SlotHandlerDependencies {
  readonly dynamo: DynamoDBDocumentClient;
  readonly rating: RatingConfig;
  readonly tables?: TableNames;
  readonly offers?: RatedPlayersListener & OfferResponseRecorder;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

/** Builds the slot processor's Lambda handler from its dependencies. */
export function createSlotHandler(deps: SlotHandlerDependencies) {
  const tables = deps.tables ?? defaultTableNames();
  const logger = deps.logger ?? new Logger({ serviceName: 'slot-processor' });
  const metrics = deps.metrics ?? new Metrics({ namespace: 'Croupier', serviceName: 'slot-processor' });
  const processor = new SlotProcessor({
    ratings: new RatingStore(
      deps.dynamo,
      tables,
      deps.rating,
      new GamingDayCalendar(deps.rating.timeZone, deps.rating.gamingDayStartHour),
    ),
    sequences: new SequenceStore(deps.dynamo, tables.ingest),
    deadLetters: new DeadLetterStore(deps.dynamo, tables.ingest, 'slot-processor'),
    ...(deps.offers ? { offerResponses: deps.offers, listener: deps.offers } : {}),
    now: deps.now ?? Date.now,
    onError: (message, error) => logger.error(message, error as Error),
  });
  return async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const { response, summary } = await processor.process(event);
    metrics.addMetric('SlotRecords', MetricUnit.Count, summary.records);
    metrics.addMetric('SlotEvents', MetricUnit.Count, summary.events);
    metrics.addMetric('SlotRatedEvents', MetricUnit.Count, summary.ratedEvents);
    metrics.addMetric('SlotDuplicates', MetricUnit.Count, summary.duplicates);
    metrics.addMetric('SlotDeadLetters', MetricUnit.Count, summary.deadLetters);
    metrics.addMetric('SlotSequenceGaps', MetricUnit.Count, summary.sequenceGaps);
    metrics.addMetric('SlotPlayerWriteFailures', MetricUnit.Count, summary.failedPlayers);
    metrics.publishStoredMetrics();
    if (summary.deadLetters > 0 || summary.sequenceGaps > 0)
      logger.warn('slot batch had bad input or gaps', { summary });
    else logger.debug('slot batch processed', { summary });
    return response;
  };
}

let built: ((event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>) | undefined;

/**
 * Lambda entry point. Configuration comes from the environment only (endpoints through the SDK's
 * standard `AWS_ENDPOINT_URL_*` variables), parsed once per execution environment.
 */
export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  if (!built) {
    const rating = parseEnv(RatingEnv);
    const offers = parseEnv(OfferEnv);
    const dynamo = createDynamoDbDocumentClient();
    const logger = new Logger({ serviceName: 'slot-processor' });
    built = createSlotHandler({
      dynamo,
      rating,
      logger,
      offers: createOfferStage({
        dynamo,
        tables: defaultTableNames(),
        config: offers.config,
        publisher: new IotOfferPublisher(createIotDataClient(offers.iotDataEndpoint)),
        calendar: new GamingDayCalendar(rating.timeZone, rating.gamingDayStartHour),
        onError: (message, error) => logger.error(message, error as Error),
      }),
    });
  }
  return built(event);
};
