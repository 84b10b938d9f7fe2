import type { Rng } from '../random/rng.js';

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

/**
 * A UUIDv7 made from a simulated time and a seeded stream instead of the wall clock and crypto
 * randomness, so generated history is reproducible byte for byte. Layout per RFC 9562: 48-bit
 * millisecond timestamp, version 7, 12 random bits, variant 0b10, 62 random bits.
 */
export function deterministicEventId(timeMs: number, rng: Rng): string {
  const ms = Math.floor(timeMs);
  if (ms < 0 || ms > 0xffff_ffff_ffff) throw new RangeError(`time ${timeMs} does not fit a UUIDv7`);
  const randA = rng.int(0, 0xfff);
  const randB1 = rng.int(0, 0x3fff);
  const randB2 = rng.int(0, 0xffff);
  const randB3 = Math.floor(rng.next() * 0x1_0000_0000);
  const time = hex(ms, 12);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex(randA, 3)}-${hex(0x8000 | randB1, 4)}-${hex(randB2, 4)}${hex(randB3, 8)}`;
}
