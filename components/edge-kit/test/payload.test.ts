import { describe, expect, it } from 'vitest';
import { toBuffer } from '../src/transport/payload.js';

describe('toBuffer', () => {
  it('GIVEN an empty payload as the CRT hands it (a detached ArrayBuffer) THEN it is an empty Buffer, not a throw', () => {
    const lent = new ArrayBuffer(0);
    structuredClone(lent, { transfer: [lent] });
    expect(() => Buffer.from(lent)).toThrow(/detached/);
    expect(toBuffer(lent)).toEqual(Buffer.alloc(0));
  });

  it('GIVEN every payload shape the clients hand over THEN the bytes are the same', () => {
    const bytes = Uint8Array.from([0x7b, 0x7d]);
    expect(toBuffer(bytes.buffer)).toEqual(Buffer.from('{}'));
    expect(toBuffer(bytes)).toEqual(Buffer.from('{}'));
    expect(toBuffer('{}')).toEqual(Buffer.from('{}'));
    expect(toBuffer({})).toEqual(Buffer.from('{}'));
    expect(toBuffer(undefined)).toEqual(Buffer.alloc(0));
  });
});
