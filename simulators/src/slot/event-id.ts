import type { Rng } from '../random/index.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const TWO_POW_32 = 2 ** 32;

/**
 * A UUIDv7 made from the simulated clock and a seeded stream instead of the wall clock and the OS
 * random source (RFC 9562 §5.7: 48-bit Unix milliseconds, version 7, 74 random bits, variant 10).
 *
 * Deterministic ids make a replay of the same scenario produce the same event ids, so ground truth,
 * lake files and de-duplication results can be compared byte for byte across runs. The flip side:
 * replaying one seed twice into the same cloud is, correctly, seen as one delivery repeated.
 */
export function deterministicEventId(eventTimeMs: number, rng: Rng): string {
  const bytes = new Uint8Array(16);
  let ms = eventTimeMs;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  for (let word = 0; word < 3; word += 1) {
    const bits = Math.floor(rng.next() * TWO_POW_32);
    const offset = 6 + word * 4;
    for (let j = 0; j < 4 && offset + j < 16; j += 1) bytes[offset + j] = (bits >>> (24 - 8 * j)) & 0xff;
  }
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  let out = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[bytes[i] as number];
  }
  return out;
}
