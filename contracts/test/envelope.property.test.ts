import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPRESSIONS, ContractError, decodeEnvelope, encodeEnvelope } from '../src/index.js';
import { slotEvent } from './arbitraries.js';

const header = fc.record({
  property: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,32}$/),
  core: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,32}$/),
  seq: fc.nat(),
  createdAt: fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
});

describe('uplink envelope properties', () => {
  it('every envelope round-trips through encode and decode, in every compression', () => {
    fc.assert(
      fc.property(
        header,
        fc.array(slotEvent, { maxLength: 50 }),
        fc.constantFrom(...COMPRESSIONS),
        (h, events, compression) => {
          const decoded = decodeEnvelope(encodeEnvelope({ ...h, stream: 'slot', events }, compression));
          expect(decoded.ok).toBe(true);
          if (!decoded.ok) return;
          expect(decoded.value.header).toMatchObject({ ...h, stream: 'slot', count: events.length });
          expect(decoded.value.compression).toBe(compression);
          expect(decoded.value.rejected).toEqual([]);
          // zod applies defaults (card_out.reason) and drops nothing else: compare through JSON.
          expect(decoded.value.events).toEqual(JSON.parse(JSON.stringify(events)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes never crash the decoder and yield a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const decoded = decodeEnvelope(bytes);
        expect(decoded.ok).toBe(false);
        if (!decoded.ok) expect(decoded.error).toBeInstanceOf(ContractError);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes behind a valid preamble never crash the decoder either', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 3, 255), fc.uint8Array({ maxLength: 1024 }), (compression, rest) => {
        const bytes = Buffer.concat([Buffer.from('CRPE', 'latin1'), Buffer.from([1, compression]), Buffer.from(rest)]);
        const decoded = decodeEnvelope(bytes);
        if (!decoded.ok) expect(decoded.error).toBeInstanceOf(ContractError);
      }),
      { numRuns: 2000 },
    );
  });

  it('every truncation of a valid envelope yields a typed error, never a partial decode', () => {
    fc.assert(
      fc.property(
        header,
        fc.array(slotEvent, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...COMPRESSIONS),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (h, events, compression, cut) => {
          const bytes = encodeEnvelope({ ...h, stream: 'slot', events }, compression);
          const truncated = bytes.subarray(0, Math.floor(bytes.byteLength * cut));
          const decoded = decodeEnvelope(truncated);
          expect(decoded.ok).toBe(false);
          if (!decoded.ok) expect(decoded.error).toBeInstanceOf(ContractError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('flipping any one byte never crashes the decoder, and what it accepts is still schema-valid', () => {
    fc.assert(
      fc.property(
        header,
        fc.array(slotEvent, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (h, events, at, xor) => {
          const bytes = Buffer.from(encodeEnvelope({ ...h, stream: 'slot', events }, 'deflate'));
          const i = at % bytes.byteLength;
          bytes[i] = bytes[i]! ^ xor;
          const decoded = decodeEnvelope(bytes);
          if (!decoded.ok) expect(decoded.error).toBeInstanceOf(ContractError);
          else expect(decoded.value.events.length + decoded.value.rejected.length).toBe(decoded.value.header.count);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
