import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  decodeEnvelopeHeader,
  encodeEnvelope,
  MAX_DECOMPRESSED_BYTES,
  newEventId,
  SCHEMA_VERSION,
  type SlotEvent,
} from '../src/index.js';

const now = Date.UTC(2026, 10, 21, 23, 0, 0);
const game = (wagerCents: number): SlotEvent => ({
  eventId: newEventId(),
  eventTime: now,
  schemaVersion: SCHEMA_VERSION,
  machineId: 'SM-0042',
  type: 'game_played',
  gameId: 'buffalo-gold',
  paytableId: 'BG-92',
  theoreticalHold: 0.08,
  denominationCents: 1,
  wagerCents,
  winCents: 0,
});
const envelope = { stream: 'slot' as const, property: 'vegas-1', core: 'floor-core-01', seq: 7, createdAt: now };

/** Builds an envelope by hand, for bodies the encoder would never write. */
function rawEnvelope(header: object, body: Buffer, compression = 1): Uint8Array {
  const h = Buffer.from(JSON.stringify(header));
  const pre = Buffer.alloc(8);
  pre.write('CRPE', 0, 'latin1');
  pre.writeUInt8(1, 4);
  pre.writeUInt8(compression, 5);
  pre.writeUInt16BE(h.byteLength, 6);
  return Buffer.concat([pre, h, body]);
}

describe('decodeEnvelope', () => {
  it('GIVEN a bad event between good ones WHEN decoded THEN the good ones are kept and the bad one is rejected with its field', () => {
    const events = [game(100), { ...game(200), wagerCents: -1 } as SlotEvent, game(300)];
    const decoded = decodeEnvelope(encodeEnvelope({ ...envelope, events }, 'deflate'));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.events.map((e) => e.type === 'game_played' && e.wagerCents)).toEqual([100, 300]);
    expect(decoded.value.rejected).toHaveLength(1);
    expect(decoded.value.rejected[0]).toMatchObject({
      index: 1,
      error: { code: 'invalid_event', issues: [{ path: 'wagerCents' }] },
    });
  });

  it('refuses an event of a newer major version as unsupported_version, keeping the rest', () => {
    const events = [game(100), { ...game(200), schemaVersion: '2.0' } as SlotEvent];
    const decoded = decodeEnvelope(encodeEnvelope({ ...envelope, events }, 'none'));
    expect(decoded.ok && decoded.value.rejected[0]?.error.code).toBe('unsupported_version');
    expect(decoded.ok && decoded.value.events).toHaveLength(1);
  });

  it('accepts a newer minor version and drops the fields it does not know', () => {
    const events = [{ ...game(100), schemaVersion: '1.7', volatilityIndex: 3 } as unknown as SlotEvent];
    const decoded = decodeEnvelope(encodeEnvelope({ ...envelope, events }, 'brotli'));
    expect(decoded.ok && decoded.value.events[0]).not.toHaveProperty('volatilityIndex');
    expect(decoded.ok && decoded.value.events[0]?.schemaVersion).toBe('1.7');
  });

  it('detects a body whose event count differs from the header (a truncated or tampered batch)', () => {
    const bytes = rawEnvelope(
      { ...envelope, schemaVersion: SCHEMA_VERSION, count: 3 },
      deflateRawSync(JSON.stringify([game(1), game(2)])),
    );
    const decoded = decodeEnvelope(bytes);
    expect(decoded.ok ? 'ok' : decoded.error.issues[0]).toEqual({
      path: 'count',
      reason: 'header says 3 events, body has 2',
    });
  });

  it('refuses a decompression bomb without inflating it', () => {
    const bomb = deflateRawSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES + 1024, 0x20));
    const decoded = decodeEnvelope(rawEnvelope({ ...envelope, schemaVersion: SCHEMA_VERSION, count: 0 }, bomb));
    expect(decoded.ok ? 'ok' : decoded.error.code).toBe('too_large');
  });

  it('names the header field that is wrong', () => {
    const decoded = decodeEnvelope(
      rawEnvelope({ ...envelope, schemaVersion: SCHEMA_VERSION, count: 0, stream: 'video' }, deflateRawSync('[]')),
    );
    expect(decoded.ok ? 'ok' : decoded.error.issues.map((i) => i.path)).toEqual(['header.stream']);
  });

  it('reads the header alone without touching the body', () => {
    const bytes = encodeEnvelope({ ...envelope, events: [game(5)] }, 'deflate');
    const head = decodeEnvelopeHeader(bytes.subarray(0, bytes.byteLength - 3));
    expect(head.ok && head.value.header).toEqual({ ...envelope, schemaVersion: SCHEMA_VERSION, count: 1 });
  });

  it('compresses a realistic slot batch several times over', () => {
    const events = Array.from({ length: 100 }, (_, i) => game(100 + i));
    const plain = encodeEnvelope({ ...envelope, events }, 'none').byteLength;
    const deflated = encodeEnvelope({ ...envelope, events }, 'deflate').byteLength;
    expect(deflated * 3).toBeLessThan(plain);
  });
});
