import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../common/table-names.js';
import type { GamingDayCalendar } from '../rating/gaming-day.js';
import type { OfferConfig } from './offer-config.js';
import { type OfferModel, rulesModel } from './offer-model.js';
import type { OfferPublisher } from './offer-publisher.js';
import { OfferStage } from './offer-stage.js';
import { OfferStore } from './offer-store.js';
import { ResponsibleGamingCache } from './responsible-gaming-cache.js';

/** Wires the offer stage from its parts; the model defaults to the rule-based one. */
export function createOfferStage(deps: {
  dynamo: DynamoDBDocumentClient;
  tables: TableNames;
  config: OfferConfig;
  publisher: OfferPublisher;
  calendar: GamingDayCalendar;
  model?: OfferModel;
  clock?: () => number;
  onError?: (message: string, error: unknown) => void;
}): OfferStage {
  const clock = deps.clock ?? Date.now;
  const store = new OfferStore(deps.dynamo, deps.tables, deps.config.decisionRetentionDays * 86_400_000);
  return new OfferStage({
    store,
    publisher: deps.publisher,
    responsibleGaming: new ResponsibleGamingCache(
      (tokens) => store.loadResponsibleGaming(tokens),
      deps.config.responsibleGamingCacheTtlMs,
      deps.config.responsibleGamingCacheEntries,
      clock,
    ),
    model: deps.model ?? rulesModel,
    config: deps.config,
    calendar: deps.calendar,
    clock,
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
}
