import { MachineIdentity } from '@croupier/contracts';
import { SegmentLogSettings } from '@croupier/edge-kit';
import { z } from 'zod';

/** com.croupier.SlotGateway configuration; the recipe's DefaultConfiguration documents each default. */
export const SlotGatewayConfiguration = z.object({
  playerTokenKeyHex: z
    .string()
    .regex(/^([0-9a-fA-F]{2}){32,}$/, 'must be hex of at least 32 bytes')
    .describe('HMAC key for player tokens, hex, ≥ 32 bytes. Secret: never logged, never leaves the core'),
  machines: z.array(MachineIdentity).describe('Machines on this core, for enrichment'),
  duplicates: z
    .object({
      maxEntries: z.int().min(100).max(10_000_000).default(100_000),
      windowMs: z
        .int()
        .min(1_000)
        .default(15 * 60_000)
        .describe('An SMIB retransmits within minutes; ids older than this are forgotten'),
    })
    .prefault({}),
  deadLetter: z
    .object({
      path: z.string().min(1).default('dead-letter.jsonl').describe('Relative to the component work directory'),
      maxBytes: z
        .int()
        .min(64 * 1024)
        .default(16 * 1024 * 1024)
        .describe('The file is rotated to .1 past this size'),
    })
    .prefault({}),
  sessions: z
    .object({
      path: z
        .string()
        .min(1)
        .default('open-sessions.json')
        .describe(
          'Open card sessions (player token and session id, never the card number); relative to the work directory; read at start',
        ),
    })
    .prefault({}),
  outbox: z
    .object({
      directory: z
        .string()
        .min(1)
        .default('outbox')
        .describe('Slot events written before they are published, until acknowledged; relative to the work directory'),
      segmentBytes: SegmentLogSettings.segmentBytes,
      fsync: SegmentLogSettings.fsync,
      confirmBy: z
        .enum(['uplink', 'broker'])
        .default('uplink')
        .describe(
          'uplink: an event stays in the outbox, resent, until Uplink acknowledges it on croupier/local/uplink/acks (an Uplink of the same release); broker: until local pub/sub acknowledges the publish',
        ),
      resend: z
        .object({
          afterMs: z
            .int()
            .min(100)
            .default(30_000)
            .describe('First resend of an event while nothing later has been confirmed either (Uplink down or behind)'),
          skippedAfterMs: z
            .int()
            .min(0)
            .default(1_000)
            .describe('An event held this much longer than one Uplink confirmed was lost on the way: resent at once'),
          maxAfterMs: z.int().min(100).default(60_000).describe('Cap of the doubling wait between resends'),
          maxHeld: z
            .int()
            .min(100)
            .default(100_000)
            .describe('Unconfirmed events resent from memory; older ones wait in the outbox for the next start'),
        })
        .prefault({}),
    })
    .prefault({}),
  smibAcks: z
    .object({
      delayMs: z
        .int()
        .min(1)
        .max(5_000)
        .default(50)
        .describe('Acknowledgements to an SMIB are batched for this long: one message per machine per batch'),
    })
    .prefault({}),
  healthIntervalMs: z.int().min(1_000).default(60_000),
});
export type SlotGatewayConfiguration = z.infer<typeof SlotGatewayConfiguration>;

/** The key bytes, decoded once. */
export function playerTokenKey(configuration: SlotGatewayConfiguration): Buffer {
  return Buffer.from(configuration.playerTokenKeyHex, 'hex');
}
