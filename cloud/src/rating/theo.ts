/**
 * Theoretical win in exact integer arithmetic. Theo is wager × theoretical hold; holds are certified
 * to at most six decimals (e.g. 0.0825), so theo is kept in micro-cents (cents × 10⁻⁶) as an
 * integer: sums are exact and independent of the order events are added in, which floating-point
 * sums are not.
 */
export const MICROS_PER_CENT = 1_000_000;

/** A hold as parts per million, refusing holds with more precision than a paytable certifies. */
export function holdPpm(theoreticalHold: number): number {
  const ppm = Math.round(theoreticalHold * MICROS_PER_CENT);
  if (Math.abs(ppm - theoreticalHold * MICROS_PER_CENT) > 1e-6) {
    throw new RangeError(`theoretical hold ${theoreticalHold} has more than six decimals`);
  }
  return ppm;
}

/** Theo of one game, in micro-cents. */
export function theoMicros(wagerCents: number, theoreticalHold: number): number {
  const micros = wagerCents * holdPpm(theoreticalHold);
  if (!Number.isSafeInteger(micros)) throw new RangeError(`theo of a ${wagerCents}-cent wager overflows`);
  return micros;
}

/** Micro-cents as (fractional) cents, for the contract's `theoCents`. */
export const microsToCents = (micros: number) => micros / MICROS_PER_CENT;
