/**
 * Seeded, deterministic random numbers for every simulator, on top of pure-rand's xoroshiro128+.
 *
 * Determinism rules: a stream's output depends only on its seed path (the root seed plus the labels
 * passed to {@link Rng.fork}) and on how many values were drawn from that very stream. Forking never
 * consumes from the parent, so adding a device or a new draw in one sub-stream leaves every other
 * sub-stream's sequence unchanged.
 */
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A deterministic random stream. Not safe to share between consumers that must stay independent: fork instead. */
export interface Rng {
  /** The seed path this stream was made from, e.g. `42/device:7/noise`. */
  readonly seedPath: string;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number;
  /** Uniform integer in [a, b], both inclusive. */
  int(a: number, b: number): number;
  /** True with probability `p`. */
  bernoulli(p: number): boolean;
  /** Normal (Gaussian) with mean `mu` and standard deviation `sigma`. */
  normal(mu: number, sigma: number): number;
  /** Exponential with rate `rate` (mean 1/rate). */
  exponential(rate: number): number;
  /** Poisson count with mean `lambda`. */
  poisson(lambda: number): number;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number;
  /** An independent stream, determined only by this stream's seed path and `label`. */
  fork(label: string): Rng;
}

/** Above this mean, Poisson draws use a continuity-corrected normal approximation (error < 1% of sd). */
const POISSON_NORMAL_THRESHOLD = 60;

function generatorFor(seedPath: string): RandomGenerator {
  // SHA-256 spreads similar labels ("device:1", "device:2") over the whole 128-bit state.
  const digest = createHash('sha256').update(seedPath).digest();
  const state = [digest.readInt32BE(0), digest.readInt32BE(4), digest.readInt32BE(8), digest.readInt32BE(12)];
  if (!state.some((word) => word !== 0)) state[0] = 1;
  return xoroshiro128plusFromState(state);
}

class SeededRng implements Rng {
  readonly #generator: RandomGenerator;

  constructor(readonly seedPath: string) {
    this.#generator = generatorFor(seedPath);
  }

  next(): number {
    return uniformFloat64(this.#generator);
  }

  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  int(a: number, b: number): number {
    if (!Number.isInteger(a) || !Number.isInteger(b) || b < a)
      throw new RangeError(`invalid integer range [${a}, ${b}]`);
    return a + Math.floor(this.next() * (b - a + 1));
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  normal(mu: number, sigma: number): number {
    // Box–Muller, one value per call so the draw count per call is fixed (keeps streams aligned).
    const u1 = 1 - this.next();
    const u2 = this.next();
    return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  exponential(rate: number): number {
    if (!(rate > 0)) throw new RangeError(`exponential rate must be > 0, got ${rate}`);
    return -Math.log(1 - this.next()) / rate;
  }

  poisson(lambda: number): number {
    if (!(lambda >= 0)) throw new RangeError(`poisson mean must be >= 0, got ${lambda}`);
    if (lambda === 0) return 0;
    if (lambda > POISSON_NORMAL_THRESHOLD) {
      return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    }
    // Knuth's multiplication method: exact, O(lambda) draws, cheap for the small means simulators use.
    const limit = Math.exp(-lambda);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count += 1;
      product *= this.next();
    }
    return count;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weightedIndex(weights: readonly number[]): number {
    const total = weights.reduce((sum, w) => {
      if (!(w >= 0)) throw new RangeError(`weights must be >= 0, got ${w}`);
      return sum + w;
    }, 0);
    if (!(total > 0)) throw new RangeError('weights must not all be zero');
    let target = this.next() * total;
    for (let i = 0; i < weights.length; i += 1) {
      target -= weights[i] as number;
      if (target < 0) return i;
    }
    return weights.length - 1;
  }

  fork(label: string): Rng {
    return new SeededRng(`${this.seedPath}/${label}`);
  }
}

/** Creates the root stream for a seed. The same seed always yields the same sequence, on any platform. */
export function createRng(seed: number | string): Rng {
  return new SeededRng(String(seed));
}
