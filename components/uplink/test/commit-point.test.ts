import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommitPoint } from '../src/index.js';

describe('CommitPoint', () => {
  it('GIVEN items settled in any order and groups WHEN each group settles THEN the commit point is the last of the settled run from the oldest item, never past an outstanding one', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3_000 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
              fc.integer({ min: 1, max: 50 }),
            ),
          ),
        ([n, order, groupSize]) => {
          const point = new CommitPoint<number>();
          for (let i = 0; i < n; i++) point.add(i);
          const settled = new Set<number>();
          let committed = -1;
          for (let g = 0; g < order.length; g += groupSize) {
            const group = order.slice(g, g + groupSize);
            for (const item of group) settled.add(item);
            const through = point.settle(group);
            let expected = committed;
            while (settled.has(expected + 1)) expected += 1;
            expect(through).toBe(expected === committed ? undefined : expected);
            committed = expected;
            expect(point.size).toBe(n - 1 - committed);
          }
          expect(committed).toBe(n - 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('GIVEN an old item outstanding WHEN newer items settle THEN nothing can be committed until it does', () => {
    const point = new CommitPoint<string>();
    for (const item of ['late', 'a', 'b']) point.add(item);
    expect(point.settle(['a', 'b'])).toBeUndefined();
    expect(point.settle(['late'])).toBe('b');
    expect(point.size).toBe(0);
  });
});
