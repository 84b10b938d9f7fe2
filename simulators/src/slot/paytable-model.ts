/**
 * A paytable as a real outcome distribution whose expected return is exactly `1 - theoreticalHold`.
 *
 * Exactness by construction: every outcome has an integer weight out of a fixed cycle of
 * {@link PAYTABLE_CYCLE} draws (like the stop combinations of a reel strip) and an integer pay in units of
 * `1/payDenominator` of the wager. The return of the game is then the rational number
 * `Σ weight·pay / (cycle·payDenominator)`. The configured hold is a whole number of millionths, so the target
 * `(1 - hold)·cycle·payDenominator` is an integer too, and the weights are chosen so that the integer sum
 * hits it exactly: the shape's probabilities are scaled to the target return, rounded to integers, and the
 * rounding residual is cancelled exactly by adjusting two outcomes whose pays are coprime (extended Euclid).
 * The constructor re-checks the identity in BigInt arithmetic, so a paytable that exists is exact.
 */

/** Draws per paytable cycle. 10^10 resolves outcomes as rare as 1 in 10^9 and keeps every sum below 2^53. */
export const PAYTABLE_CYCLE = 10_000_000_000;

/** Holds are configured in whole millionths (0.0001 percentage points). */
export const HOLD_RESOLUTION = 1_000_000;

/** One outcome of a paytable shape: its pay and its relative frequency before scaling. */
export interface PayShapeEntry {
  readonly label: string;
  /** Pay in units of `1/payDenominator` of the wager; > 0. */
  readonly pay: number;
  /** Relative frequency of this outcome before the shape is scaled to the target return. */
  readonly frequency: number;
}

export interface PaytableDefinition {
  readonly paytableId: string;
  readonly theoreticalHold: number;
  /** Pays are multiples of `1/payDenominator` of the wager, e.g. 10 when the smallest win is 0.1× the bet. */
  readonly payDenominator: number;
  /** The winning outcomes; the losing outcome takes the rest of the cycle. */
  readonly shape: readonly PayShapeEntry[];
}

/** One outcome of a built paytable. */
export interface PayOutcome {
  readonly label: string;
  readonly pay: number;
  readonly weight: number;
}

/** An exact paytable ready to draw from. */
export interface PaytableModel {
  readonly paytableId: string;
  readonly theoreticalHold: number;
  readonly payDenominator: number;
  /** Index 0 is the loss (pay 0); the others are the winning outcomes of the shape. */
  readonly outcomes: readonly PayOutcome[];
  /** Exact expected return per unit wagered, as a float of the exact rational: `1 - theoreticalHold`. */
  readonly expectedReturn: number;
  /** Variance of the return per unit wagered (pay/payDenominator) of one game. */
  readonly returnVariance: number;
  /** Probability that a game wins anything. */
  readonly hitFrequency: number;
  /** The outcome index for a uniform draw `u` in [0, 1). */
  outcomeFor(u: number): number;
}

/** Raised when a paytable definition cannot be made exact. */
export class PaytableError extends Error {
  override readonly name = 'PaytableError';
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** Extended Euclid: returns [x, y] with a·x + b·y = gcd(a, b). */
function extendedGcd(a: number, b: number): [number, number] {
  if (b === 0) return [1, 0];
  const [x, y] = extendedGcd(b, a % b);
  return [y, x - Math.floor(a / b) * y];
}

/** Builds the exact paytable for a definition; throws {@link PaytableError} when it cannot be exact. */
export function buildPaytable(def: PaytableDefinition): PaytableModel {
  const { paytableId, theoreticalHold, payDenominator, shape } = def;
  const holdMillionths = Math.round(theoreticalHold * HOLD_RESOLUTION);
  if (Math.abs(holdMillionths - theoreticalHold * HOLD_RESOLUTION) > 1e-6) {
    throw new PaytableError(`${paytableId}: hold ${theoreticalHold} is not a whole number of millionths`);
  }
  if (!(holdMillionths > 0 && holdMillionths < HOLD_RESOLUTION)) {
    throw new PaytableError(`${paytableId}: hold ${theoreticalHold} must be in (0, 1)`);
  }
  if (!Number.isInteger(payDenominator) || payDenominator < 1 || payDenominator > 100) {
    throw new PaytableError(`${paytableId}: payDenominator must be an integer in [1, 100]`);
  }
  if (shape.length < 2) throw new PaytableError(`${paytableId}: a shape needs at least two winning outcomes`);
  for (const entry of shape) {
    if (!Number.isInteger(entry.pay) || entry.pay < 1) {
      throw new PaytableError(`${paytableId}: pay of "${entry.label}" must be a positive integer`);
    }
    if (!(entry.frequency > 0)) throw new PaytableError(`${paytableId}: frequency of "${entry.label}" must be > 0`);
  }

  const target = (HOLD_RESOLUTION - holdMillionths) * (PAYTABLE_CYCLE / HOLD_RESOLUTION) * payDenominator;
  const shapeReturn = shape.reduce((sum, e) => sum + e.frequency * e.pay, 0);
  const scale = target / PAYTABLE_CYCLE / shapeReturn;
  const weights = shape.map((e) => Math.round(e.frequency * scale * PAYTABLE_CYCLE));

  // Cancel the rounding residual exactly with the most frequent outcome and one whose pay is coprime to it.
  const order = shape.map((_, i) => i).sort((a, b) => (weights[b] as number) - (weights[a] as number));
  const a = order[0] as number;
  const payA = shape[a]!.pay;
  const b = order.find((i) => i !== a && gcd(payA, shape[i]!.pay) === 1);
  if (b === undefined) {
    throw new PaytableError(`${paytableId}: the most frequent pay (${payA}) needs a partner pay coprime to it`);
  }
  const payB = shape[b]!.pay;
  const residual = target - weights.reduce((sum, w, i) => sum + w * shape[i]!.pay, 0);
  const [x0, y0] = extendedGcd(payA, payB);
  // Smallest non-negative correction on b (below payA), the rest on a: payA·dA + payB·dB = residual.
  const dB = (((y0 * residual) % payA) + payA) % payA;
  const dA = (residual - dB * payB) / payA;
  if (x0 * payA + y0 * payB !== 1 || !Number.isInteger(dA)) {
    throw new PaytableError(`${paytableId}: internal error cancelling the rounding residual`);
  }
  weights[a] = (weights[a] as number) + dA;
  weights[b] = (weights[b] as number) + dB;

  const winWeight = weights.reduce((sum, w) => sum + w, 0);
  if (weights.some((w) => w < 1) || winWeight >= PAYTABLE_CYCLE) {
    throw new PaytableError(`${paytableId}: hold ${theoreticalHold} is out of reach of this shape`);
  }
  const outcomes: PayOutcome[] = [
    { label: 'loss', pay: 0, weight: PAYTABLE_CYCLE - winWeight },
    ...shape.map((e, i) => ({ label: e.label, pay: e.pay, weight: weights[i] as number })),
  ];

  const exactSum = outcomes.reduce((sum, o) => sum + BigInt(o.weight) * BigInt(o.pay), 0n);
  if (exactSum !== BigInt(target)) throw new PaytableError(`${paytableId}: return is not exact`);

  const d = payDenominator;
  const expectedReturn = 1 - holdMillionths / HOLD_RESOLUTION;
  const secondMoment = outcomes.reduce((sum, o) => sum + (o.weight / PAYTABLE_CYCLE) * (o.pay / d) ** 2, 0);
  const cumulative = new Float64Array(outcomes.length);
  let running = 0;
  outcomes.forEach((o, i) => {
    running += o.weight;
    cumulative[i] = running;
  });

  return {
    paytableId,
    theoreticalHold: holdMillionths / HOLD_RESOLUTION,
    payDenominator,
    outcomes,
    expectedReturn,
    returnVariance: secondMoment - expectedReturn ** 2,
    hitFrequency: winWeight / PAYTABLE_CYCLE,
    outcomeFor(u: number): number {
      // floor(u·cycle) is a uniform stop in [0, cycle); binary search its outcome.
      const stop = Math.floor(u * PAYTABLE_CYCLE);
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (stop < (cumulative[mid] as number)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}
