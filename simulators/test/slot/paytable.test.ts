import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/random/index.js';
import { GAME_CATALOGUE } from '../../src/slot/game-catalogue.js';
import { buildPaytable, PAYTABLE_CYCLE, PaytableError } from '../../src/slot/paytable-model.js';

const GAMES = Object.values(GAME_CATALOGUE);
/** Games drawn per paytable in the statistical tests. */
const N = 1_000_000;
/**
 * Tolerances are in standard errors of the estimate. Five standard errors leave a chance below 1 in
 * a million for a correct paytable to fail (normal approximation); seeds are fixed besides.
 */
const Z = 5;

describe('GIVEN the paytables of the game catalogue', () => {
  it('WHEN built at any hold in whole millionths THEN the expected return is exactly 1 - hold (integer arithmetic)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GAMES), fc.integer({ min: 5_000, max: 150_000 }), (game, holdMillionths) => {
        const hold = holdMillionths / 1_000_000;
        const p = buildPaytable({
          paytableId: 'prop',
          theoreticalHold: hold,
          payDenominator: game.payDenominator,
          shape: game.shape,
        });
        const weights = p.outcomes.reduce((s, o) => s + BigInt(o.weight), 0n);
        const paid = p.outcomes.reduce((s, o) => s + BigInt(o.weight) * BigInt(o.pay), 0n);
        expect(weights).toBe(BigInt(PAYTABLE_CYCLE));
        // return = paid / (cycle · D) = 1 - hold  ⇔  paid · 10^6 = (10^6 - holdMillionths) · cycle · D
        expect(paid * 1_000_000n).toBe(
          BigInt(1_000_000 - holdMillionths) * BigInt(PAYTABLE_CYCLE) * BigInt(game.payDenominator),
        );
        expect(p.outcomes.every((o) => o.weight > 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('WHEN a hold is not a whole number of millionths THEN building refuses it', () => {
    const game = GAME_CATALOGUE['dollar-reels']!;
    expect(() =>
      buildPaytable({ paytableId: 'x', theoreticalHold: 0.05000001, payDenominator: 1, shape: game.shape }),
    ).toThrow(PaytableError);
  });

  it.each(GAMES.map((g) => [g.key, g] as const))(
    'WHEN %s plays 10^6 games THEN realised hold and outcome frequencies are within 5 standard errors',
    (_key, game) => {
      const hold = (game.holdRange[0] + game.holdRange[1]) / 2;
      const p = buildPaytable({
        paytableId: game.key,
        theoreticalHold: Math.round(hold * 10_000) / 10_000,
        payDenominator: game.payDenominator,
        shape: game.shape,
      });
      const rng = createRng(`paytable-test/${game.key}`);
      const counts = new Array<number>(p.outcomes.length).fill(0);
      let paid = 0;
      for (let i = 0; i < N; i += 1) {
        const k = p.outcomeFor(rng.next());
        counts[k] = (counts[k] as number) + 1;
        paid += (p.outcomes[k] as { pay: number }).pay;
      }
      const realisedHold = 1 - paid / p.payDenominator / N;
      // Standard error of the mean return of N games: sqrt(Var(return of one game) / N).
      const tolerance = Z * Math.sqrt(p.returnVariance / N);
      expect(Math.abs(realisedHold - p.theoreticalHold)).toBeLessThanOrEqual(tolerance);
      p.outcomes.forEach((o, k) => {
        const prob = o.weight / PAYTABLE_CYCLE;
        const sd = Math.sqrt(N * prob * (1 - prob));
        expect(Math.abs((counts[k] as number) - N * prob)).toBeLessThanOrEqual(Math.max(Z * sd, 3));
      });
    },
  );
});
