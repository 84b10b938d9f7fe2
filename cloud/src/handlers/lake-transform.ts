import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { envelopeToLake } from '../lake/envelope-to-lake.js';

const logger = new Logger({ serviceName: 'lake-transform' });
const metrics = new Metrics({ namespace: 'Croupier', serviceName: 'lake-transform' });

/**
 * Firehose data-transformation Lambda of the lake delivery streams: each input record is one uplink
 * envelope; the output is its events as JSON lines with the `stream`, `dt` and `hr` partition keys the
 * delivery stream's prefix uses. A record that is not an envelope is `ProcessingFailed`, so Firehose
 * writes it under the error prefix with its reason.
 */
export const handler = async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
  let events = 0;
  let refused = 0;
  let failed = 0;
  let outsideHour = 0;
  const records = event.records.map((record) => {
    const lake = envelopeToLake(Buffer.from(record.data, 'base64'));
    if (lake.result === 'ProcessingFailed') {
      failed += 1;
      logger.warn('record is not an uplink envelope', { recordId: record.recordId, reason: lake.reason });
      return { recordId: record.recordId, result: 'ProcessingFailed' as const, data: record.data };
    }
    events += lake.eventCount;
    refused += lake.rejected.length;
    outsideHour += lake.outsideHour;
    if (lake.outsideHour > 0) {
      logger.warn("envelope holds events of another hour; filed under its first event's hour", {
        recordId: record.recordId,
        events: lake.outsideHour,
      });
    }
    for (const r of lake.rejected) {
      logger.warn('event refused by the contract', {
        recordId: record.recordId,
        index: r.index,
        reason: r.error.message,
      });
    }
    return {
      recordId: record.recordId,
      result: lake.eventCount > 0 ? ('Ok' as const) : ('Dropped' as const),
      data: Buffer.from(lake.lines, 'utf8').toString('base64'),
      metadata: { partitionKeys: lake.partition },
    };
  });
  metrics.addMetric('LakeEvents', MetricUnit.Count, events);
  metrics.addMetric('LakeRefusedEvents', MetricUnit.Count, refused);
  metrics.addMetric('LakeFailedRecords', MetricUnit.Count, failed);
  metrics.addMetric('LakeEventsOutsideHour', MetricUnit.Count, outsideHour);
  metrics.publishStoredMetrics();
  return { records };
};
