import { decodeKinesisBatch, MAX_DEAD_LETTER_PAYLOAD } from '@croupier/cloud/src/common/kinesis-envelopes';
import {
  type CatalogEntry,
  ContractError,
  catalog,
  decodeEnvelope,
  encodeEnvelope,
  MAX_DECOMPRESSED_BYTES,
  parseStreamEvent,
  parseWith,
  type StreamEvent,
  UPLINK_STREAMS,
  type UplinkStream,
} from '@croupier/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kinesisRecord } from '../../cloud/test/processing/support/kinesis-batch.js';
import { anyJson, mutated, runs, validExamples } from './support/fuzz.js';

/*
 * Every contract schema at a boundary, the uplink envelope and the processors' Kinesis decoding,
 * under arbitrary input. Round trips, truncation, single-byte flips and random bytes of the
 * envelope itself are properties in contracts/test/envelope.property.test.ts; these add what
 * crosses a process boundary beside it.
 */

/** Valid examples of each stream's events, from the contracts' fixtures. */
const streamExamples: Record<UplinkStream, Record<string, unknown>[]> = {
  slot: validExamples('SlotEvent'),
  shuffler: validExamples('ShufflerTelemetry'),
  alert: validExamples('AlertStreamEvent'),
  health: validExamples('CoreHealth'),
};

/** A parse either succeeds or returns a ContractError naming at least one field; it never throws. */
function expectTypedOutcome(entry: CatalogEntry, input: unknown): boolean {
  const parsed = parseWith(entry.schema, input);
  if (parsed.ok) return true;
  expect(parsed.error).toBeInstanceOf(ContractError);
  expect(parsed.error.issues.length).toBeGreaterThan(0);
  return false;
}

describe('GIVEN every schema in the contract catalog', () => {
  describe.each(catalog.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
    it('WHEN fed any JSON value THEN it returns a typed result and never throws', () => {
      fc.assert(
        fc.property(anyJson, (input) => {
          expectTypedOutcome(entry, input);
        }),
        { numRuns: runs(300) },
      );
    });

    it('WHEN fed its own valid examples changed in one to three places THEN it returns a typed result', () => {
      fc.assert(
        fc.property(mutated(validExamples(name)), (input) => {
          expectTypedOutcome(entry, input);
        }),
        { numRuns: runs(300) },
      );
    });
  });
});

/** A body of good events with junk spliced in at random places, and where the junk went. */
const mixedBody = (stream: UplinkStream) =>
  fc
    .tuple(
      fc.array(fc.constantFrom(...streamExamples[stream]), { minLength: 1, maxLength: 20 }),
      fc.array(fc.tuple(fc.nat(), fc.oneof(anyJson, mutated(streamExamples[stream]))), { maxLength: 10 }),
    )
    .map(([good, junk]) => {
      const body: unknown[] = [...good];
      for (const [at, item] of junk) body.splice(at % (body.length + 1), 0, item);
      return body;
    });

describe('GIVEN uplink envelopes whose bodies mix good events with junk', () => {
  it.each(UPLINK_STREAMS.map((s) => [s]))(
    'WHEN a %s envelope is decoded THEN every good event is kept, in order, and each bad one is rejected by index',
    (stream) => {
      fc.assert(
        fc.property(mixedBody(stream), fc.constantFrom('none', 'deflate', 'brotli' as const), (body, compression) => {
          const bytes = encodeEnvelope(
            {
              stream,
              property: 'vegas',
              core: 'core-a',
              seq: 1,
              createdAt: 1_763_766_000_000,
              events: body as StreamEvent<typeof stream>[],
            },
            compression,
          );
          const decoded = decodeEnvelope(bytes);
          // A body past the decoder's bound is refused whole, by name: no Uplink ever sends one.
          if (Buffer.byteLength(JSON.stringify(body)) > MAX_DECOMPRESSED_BYTES) {
            expect(decoded.ok ? 'ok' : decoded.error.code).toBe('too_large');
            return;
          }
          expect(decoded.ok ? 'ok' : decoded.error.message).toBe('ok');
          if (!decoded.ok) return;
          const valid = body.flatMap((item, index) => (parseStreamEvent(stream, item).ok ? [index] : []));
          const rejected = decoded.value.rejected.map((r) => r.index);
          expect(decoded.value.events).toHaveLength(valid.length);
          expect(rejected).toEqual(body.map((_, i) => i).filter((i) => !valid.includes(i)));
          for (const r of decoded.value.rejected) expect(r.error).toBeInstanceOf(ContractError);
        }),
        { numRuns: runs(150) },
      );
    },
  );
});

describe("GIVEN Kinesis batches as Lambda delivers them to the slot processor's decodeKinesisBatch", () => {
  const envelope = (stream: UplinkStream, events: unknown[], seq: number) =>
    encodeEnvelope(
      {
        stream,
        property: 'vegas',
        core: 'core-a',
        seq,
        createdAt: 1_763_766_000_000,
        events: events as StreamEvent[],
      },
      'deflate',
    );
  const recordSpec = fc.oneof(
    fc.record({ kind: fc.constant('good' as const), events: fc.constant(streamExamples.slot) }),
    fc.record({ kind: fc.constant('junkBytes' as const), bytes: fc.uint8Array({ maxLength: 40_000 }) }),
    fc.record({ kind: fc.constant('otherStream' as const) }),
    fc.record({ kind: fc.constant('truncated' as const), cut: fc.double({ min: 0, max: 0.99, noNaN: true }) }),
    fc.record({ kind: fc.constant('mixed' as const), body: mixedBody('slot') }),
  );

  it('WHEN a batch mixes good envelopes, random bytes, other streams, truncations and mixed bodies THEN nothing throws, no record fails, every good event is usable and every bad input is a dead letter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordSpec, { minLength: 1, maxLength: 12 }), async (specs) => {
        let expectedEvents = 0;
        let expectedDeadLetters = 0;
        let expectedUsable = 0;
        const records = specs.map((spec, seq) => {
          let data: Uint8Array;
          switch (spec.kind) {
            case 'good':
              data = envelope('slot', spec.events, seq);
              expectedEvents += streamExamples.slot.length;
              expectedUsable += 1;
              break;
            case 'junkBytes':
              data = spec.bytes;
              expectedDeadLetters += 1;
              break;
            case 'otherStream':
              data = envelope('shuffler', streamExamples.shuffler, seq);
              expectedDeadLetters += 1;
              break;
            case 'truncated': {
              const whole = envelope('slot', streamExamples.slot, seq);
              data = whole.subarray(0, Math.floor(whole.byteLength * spec.cut));
              expectedDeadLetters += 1;
              break;
            }
            case 'mixed': {
              const body = spec.body;
              data = envelope('slot', body, seq);
              if (Buffer.byteLength(JSON.stringify(body)) > MAX_DECOMPRESSED_BYTES) {
                expectedDeadLetters += 1;
                break;
              }
              const good = body.filter((item) => parseStreamEvent('slot', item).ok).length;
              expectedEvents += good;
              expectedDeadLetters += body.length - good;
              expectedUsable += 1;
              break;
            }
          }
          return kinesisRecord(data, 'core-a', 1_763_766_000_000);
        });
        const { usable, deadLetters, failed } = await decodeKinesisBatch(records, ['slot']);
        expect(failed.size).toBe(0);
        expect(usable).toHaveLength(expectedUsable);
        expect(usable.reduce((n, r) => n + r.envelope.events.length, 0)).toBe(expectedEvents);
        expect(deadLetters).toHaveLength(expectedDeadLetters);
        for (const letter of deadLetters) {
          expect(letter.reason.length).toBeGreaterThan(0);
          expect(letter.payload.length).toBeLessThanOrEqual(MAX_DEAD_LETTER_PAYLOAD);
        }
        expect(usable.map((r) => r.index)).toEqual([...usable.map((r) => r.index)].sort((a, b) => a - b));
      }),
      { numRuns: runs(120) },
    );
  });

  // Fixed F5 (docs/security.md): the partition key is the publishing core's authenticated thing name
  // (the IoT rule renders `${topic(3)}`, which the core policy pins); a header naming another core is refused.
  it("WHEN core-a's record carries an envelope whose header names core-b THEN it is dead-lettered with the reason, not attributed to core-b, and core-a's next record is kept", async () => {
    const spoofed = encodeEnvelope(
      {
        stream: 'slot',
        property: 'vegas',
        core: 'core-b',
        seq: 1,
        createdAt: 1_763_766_000_000,
        events: streamExamples.slot as StreamEvent<'slot'>[],
      },
      'deflate',
    );
    const { usable, deadLetters, failed } = await decodeKinesisBatch(
      [
        kinesisRecord(spoofed, 'core-a', 1_763_766_000_000),
        kinesisRecord(envelope('slot', streamExamples.slot, 2), 'core-a', 1_763_766_000_000),
      ],
      ['slot'],
    );
    expect(failed.size).toBe(0);
    expect(usable.map((r) => [r.index, r.envelope.header.core])).toEqual([[1, 'core-a']]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.reason).toBe(
      'envelope header names core "core-b" but was published by core "core-a" (partition key)',
    );
  });

  it('WHEN a record carries data that is not base64 at all THEN it is dead-lettered, not thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 500 }), async (text) => {
        const record = kinesisRecord(new Uint8Array(), 'core-a', 1_763_766_000_000);
        const garbled = { ...record, kinesis: { ...record.kinesis, data: text } };
        const { usable, deadLetters, failed } = await decodeKinesisBatch([garbled], ['slot']);
        expect(failed.size).toBe(0);
        expect(usable).toEqual([]);
        expect(deadLetters).toHaveLength(1);
      }),
      { numRuns: runs(200) },
    );
  });
});
