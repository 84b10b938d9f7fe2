import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeBatcher } from '../src/index.js';

/** A sizer that behaves like compression: a fixed header plus a fraction of the raw size. */
const sizer = (events: readonly string[]) => 40 + Math.ceil(events.reduce((n, e) => n + e.length, 0) * 0.3);

describe('EnvelopeBatcher', () => {
  it('GIVEN any stream of events WHEN batched THEN every event comes out once, in order, and no envelope exceeds the budget', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 600 }), { maxLength: 400 }),
        fc.integer({ min: 200, max: 4000 }),
        (events, budget) => {
          const batcher = new EnvelopeBatcher<string>({ budgetBytes: budget, maxMessageBytes: 100_000, sizer });
          const out: string[][] = [];
          for (const e of events) out.push(...batcher.add(e, e.length).batches);
          out.push(...batcher.flush().batches);
          expect(out.flat()).toEqual(events);
          for (const batch of out) expect(batch.length === 1 || sizer(batch) <= budget).toBe(true);
          expect(batcher.size).toBe(0);
        },
      ),
    );
  });

  it('GIVEN a steady stream WHEN envelopes are cut by size THEN each is filled to within one event of the budget', () => {
    const batcher = new EnvelopeBatcher<string>({ budgetBytes: 5_000, maxMessageBytes: 100_000, sizer });
    const cut: string[][] = [];
    for (let i = 0; i < 5_000; i++) cut.push(...batcher.add('x'.repeat(300), 300).batches);
    expect(cut.length).toBeGreaterThan(10);
    for (const batch of cut) {
      expect(sizer(batch)).toBeLessThanOrEqual(5_000);
      expect(sizer([...batch, 'x'.repeat(300)])).toBeGreaterThan(5_000);
    }
  });

  it('GIVEN an event larger than any message WHEN flushed THEN it is reported as oversize and the others still go', () => {
    const batcher = new EnvelopeBatcher<string>({ budgetBytes: 500, maxMessageBytes: 1_000, sizer });
    const outputs = [
      batcher.add('small', 5),
      batcher.add('y'.repeat(10_000), 10_000),
      batcher.add('after', 5),
      batcher.flush(),
    ];
    expect(outputs.flatMap((o) => o.oversize)).toEqual(['y'.repeat(10_000)]);
    expect(outputs.flatMap((o) => o.batches).flat()).toEqual(['small', 'after']);
  });
});
