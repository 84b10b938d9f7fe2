import { describe, expect, it } from 'vitest';
import { derivePlayerToken, PlayerToken } from '../src/index.js';

const key = Buffer.from('a'.repeat(64), 'hex');

describe('derivePlayerToken', () => {
  it('is the HMAC-SHA256 of the card number under the key, lowercase hex ', () => {
    // Reference value from openssl: `printf 4000123456789 | openssl dgst -sha256 -mac HMAC -macopt hexkey:aa…aa`.
    expect(derivePlayerToken(key, '4000123456789')).toBe(
      '7daf1874ea178e604167c063829b30c551388e319babab89aab9e2ebf884ec60',
    );
    expect(PlayerToken.safeParse(derivePlayerToken(key, '4000123456789')).success).toBe(true);
  });

  it('differs per key, so a leaked token table is useless at another property', () => {
    const other = Buffer.from('b'.repeat(64), 'hex');
    expect(derivePlayerToken(key, '4000123456789')).not.toBe(derivePlayerToken(other, '4000123456789'));
  });

  it('refuses a short key', () => {
    expect(() => derivePlayerToken(Buffer.alloc(16), '1234')).toThrow(RangeError);
  });
});
