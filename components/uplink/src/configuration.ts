import { Identifier, UPLINK_STREAMS } from '@croupier/contracts';
import { SegmentLogSettings } from '@croupier/edge-kit';
import { z } from 'zod';

/** IoT Core meters messages in 5 KB increments (5 × 1024 bytes). */
export const BILLING_UNIT_BYTES = 5 * 1024;
/** IoT Core's largest MQTT message. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** com.croupier.Uplink configuration; the recipe's DefaultConfiguration documents each default. */
export const UplinkConfiguration = z
  .object({
    property: Identifier.describe('Property (casino) id: the {property} segment of uplink topics'),
    compression: z
      .enum(['deflate', 'brotli', 'none'])
      .default('brotli')
      .describe('brotli: about 25% fewer billable units than deflate on slot events (bench/uplink.ts)'),
    envelope: z
      .object({
        billingUnits: z
          .int()
          .min(1)
          .max(25)
          .default(4)
          .describe('Envelopes are filled to just under this many 5 KB billing units'),
        marginBytes: z
          .int()
          .min(0)
          .max(4_096)
          .default(256)
          .describe('Headroom kept under the billing boundary for metering of topic and framing'),
        maxDelayMs: z.int().min(10).max(600_000).default(2_000).describe('Longest an event waits to be batched'),
      })
      .prefault({}),
    spool: z
      .object({
        directory: z.string().min(1).default('spool').describe('Relative to the component work directory'),
        maxBytes: z
          .int()
          .min(1024 * 1024)
          .default(256 * 1024 * 1024),
        segmentBytes: SegmentLogSettings.segmentBytes,
        fsync: SegmentLogSettings.fsync,
      })
      .prefault({}),
    drain: z
      .object({
        maxInFlight: z.int().min(1).max(64).default(8),
        retryMinMs: z.int().min(10).default(500),
        retryMaxMs: z.int().min(100).default(30_000),
      })
      .prefault({}),
    intake: z
      .object({
        maxBufferedEvents: z
          .int()
          .min(100)
          .default(20_000)
          .describe(
            'Per stream, events held in memory while the spool refuses appends; beyond it, new events are dropped and counted',
          ),
        journal: z
          .object({
            directory: z
              .string()
              .min(1)
              .default('intake-journal')
              .describe(
                'Write-ahead journal of accepted events not yet in a spooled envelope; relative to the work directory',
              ),
            segmentBytes: SegmentLogSettings.segmentBytes,
            fsync: SegmentLogSettings.fsync,
          })
          .prefault({}),
        acknowledge: z
          .object({
            streams: z
              .array(z.enum(UPLINK_STREAMS))
              .default(['slot', 'alert'])
              .describe(
                'Streams whose events are acknowledged to their producer on croupier/local/uplink/acks once journalled',
              ),
            delayMs: z
              .int()
              .min(1)
              .max(5_000)
              .default(50)
              .describe('Acknowledgements are batched for this long: one message per stream per batch'),
          })
          .prefault({}),
      })
      .prefault({}),
    healthIntervalMs: z.int().min(1_000).default(60_000),
  })
  .refine((c) => c.envelope.billingUnits * BILLING_UNIT_BYTES - c.envelope.marginBytes <= MAX_MESSAGE_BYTES, {
    message: 'envelope budget exceeds the 128 KB IoT Core message limit',
    path: ['envelope', 'billingUnits'],
  });
export type UplinkConfiguration = z.infer<typeof UplinkConfiguration>;

/** The byte budget of one envelope. */
export function envelopeBudget(configuration: UplinkConfiguration): number {
  return configuration.envelope.billingUnits * BILLING_UNIT_BYTES - configuration.envelope.marginBytes;
}
