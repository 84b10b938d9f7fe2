import { describe, expect, it } from 'vitest';
import { IntakeAck, parseJsonWith } from '../src/index.js';

describe('parseJsonWith', () => {
  const id = '019a8f6e-1c2d-7e3f-8a4b-5c6d7e8f9a0b';

  it('GIVEN a payload that is the contract in JSON WHEN parsed THEN the typed value comes back', () => {
    const parsed = parseJsonWith(IntakeAck, Buffer.from(JSON.stringify({ stream: 'alert', eventIds: [id] })));
    expect(parsed).toEqual({ ok: true, value: { stream: 'alert', eventIds: [id] } });
  });

  it('GIVEN bytes that are not JSON WHEN parsed THEN the error is invalid_json, not a throw', () => {
    const parsed = parseJsonWith(IntakeAck, new Uint8Array([0x7b, 0xff, 0x00]));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe('invalid_json');
  });

  it('GIVEN JSON that breaks the contract WHEN parsed THEN the error names the field', () => {
    const parsed = parseJsonWith(
      IntakeAck,
      new TextEncoder().encode(JSON.stringify({ stream: 'alert', eventIds: [] })),
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.issues.map((i) => i.path)).toEqual(['eventIds']);
  });
});
