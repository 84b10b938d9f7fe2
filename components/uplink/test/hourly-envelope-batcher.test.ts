import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HourlyEnvelopeBatcher } from '../src/index.js';

interface Event {
  readonly id: number;
  readonly hour: number;
  readonly body: string;
}

/** A sizer that behaves like compression: a fixed header plus a fraction of the raw size. */
const sizer = (events: readonly Event[]) => 40 + Math.ceil(events.reduce((n, e) => n + e.body.length, 0) * 0.3);
const batcherOf = (budgetBytes: number) =>
  new HourlyEnvelopeBatcher<Event>({ budgetBytes, maxMessageBytes: 100_000, sizer }, (e) => e.hour);

describe('HourlyEnvelopeBatcher', () => {
  it('GIVEN events of interleaved hours WHEN batched and flushed THEN every event comes out once, each envelope holds one hour, and each hour keeps its order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ hour: fc.integer({ min: 0, max: 3 }), body: fc.string({ minLength: 1, maxLength: 400 }) }),
          {
            maxLength: 300,
          },
        ),
        fc.integer({ min: 200, max: 4_000 }),
        (drawn, budget) => {
          const events = drawn.map((e, id) => ({ id, ...e }));
          const batcher = batcherOf(budget);
          const out: Event[][] = [];
          for (const e of events) out.push(...batcher.add(e, e.body.length).batches);
          out.push(...batcher.flush().batches);
          expect(batcher.size).toBe(0);
          expect(
            out
              .flat()
              .map((e) => e.id)
              .sort((a, b) => a - b),
          ).toEqual(events.map((e) => e.id));
          for (const batch of out) {
            expect(new Set(batch.map((e) => e.hour)).size).toBe(1);
            expect(batch.length === 1 || sizer(batch) <= budget).toBe(true);
          }
          for (const hour of [0, 1, 2, 3]) {
            const inHour = out.flat().filter((e) => e.hour === hour);
            expect(inHour).toEqual(events.filter((e) => e.hour === hour));
          }
        },
      ),
    );
  });

  it('GIVEN a resent event of an earlier hour among this hour’s WHEN flushed THEN it gets an envelope of its own, first, and the size counts both hours until then', () => {
    const batcher = batcherOf(5_000);
    batcher.add({ id: 1, hour: 11, body: 'a' }, 1);
    batcher.add({ id: 2, hour: 10, body: 'resent' }, 6);
    batcher.add({ id: 3, hour: 11, body: 'b' }, 1);
    expect(batcher.size).toBe(3);
    expect(batcher.flush().batches.map((b) => b.map((e) => e.id))).toEqual([[2], [1, 3]]);
    expect(batcher.size).toBe(0);
  });
});
