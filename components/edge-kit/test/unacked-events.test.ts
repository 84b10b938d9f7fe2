import { describe, expect, it } from 'vitest';
import { UnackedEvents } from '../src/delivery/unacked-events.js';

const event = (n: number) => ({ eventId: `e-${n}` });
const policy = { resendAfterMs: 1_000, maxResendAfterMs: 5_000, maxHeld: 3 };

describe('UnackedEvents: what an SMIB keeps until the core acknowledges it', () => {
  it('GIVEN an event never acknowledged WHEN time passes THEN it is due after 1 s, then 2 s, 4 s and 5 s (the cap) apart', () => {
    const held = new UnackedEvents(policy);
    held.hold(event(1), 0);
    const dueAt: number[] = [];
    for (let t = 0; t <= 20_000; t += 100) if (held.due(t).length > 0) dueAt.push(t);
    expect(dueAt).toEqual([1_000, 3_000, 7_000, 12_000, 17_000]);
    expect(held.resent).toBe(5);
  });

  it('GIVEN events held WHEN some are acknowledged THEN only the others come due, oldest first, and a repeated or unknown id changes nothing', () => {
    const held = new UnackedEvents(policy);
    for (const n of [1, 2, 3]) held.hold(event(n), n);
    held.hold(event(2), 50);
    held.acknowledge(['e-2', 'e-9', 'e-2'], 10);
    expect(held.size).toBe(2);
    expect(held.due(999)).toEqual([]);
    expect(held.due(1_003)).toEqual([event(1), event(3)]);
  });

  it('GIVEN more events than it may hold WHEN one more is published THEN the oldest is given up and counted', () => {
    const held = new UnackedEvents(policy);
    for (const n of [1, 2, 3, 4]) held.hold(event(n), 0);
    expect(held.size).toBe(3);
    expect(held.dropped).toBe(1);
    expect(held.due(1_000).map((e) => e.eventId)).toEqual(['e-2', 'e-3', 'e-4']);
  });

  it('GIVEN a consumer acknowledging in the order it receives WHEN a later event is acknowledged THEN the events held well before it are due at once, once; those held just before, and a slow consumer, wait', () => {
    const held = new UnackedEvents({ ...policy, maxHeld: 10, resendAfterMs: 30_000, skippedAfterMs: 1_000 });
    held.hold(event(1), 0);
    held.hold(event(2), 500);
    held.hold(event(3), 1_800);
    held.hold(event(4), 2_000);
    // Nothing acknowledged: a consumer down or catching up is not flooded.
    expect(held.due(10_000)).toEqual([]);
    // 4 acknowledged: 1 and 2 (held 1 s or more before it) were skipped; 3 may still be on its way.
    expect(held.acknowledge(['e-4'], 10_000)).toEqual([event(4)]);
    expect(held.due(10_000)).toEqual([event(1), event(2)]);
    // Sent again once: from then on they follow the doubling wait, not every later acknowledgement.
    held.hold(event(5), 12_000);
    held.acknowledge(['e-5'], 12_000);
    expect(held.due(12_000)).toEqual([event(3)]);
    expect(held.due(12_500)).toEqual([]);
  });

  it('GIVEN more events due than a call may hand out WHEN asked with a limit THEN the oldest come first and the rest stay due', () => {
    const held = new UnackedEvents({ ...policy, maxHeld: 10 });
    for (const n of [1, 2, 3, 4, 5]) held.hold(event(n), 0);
    expect(held.due(1_000, 2)).toEqual([event(1), event(2)]);
    expect(held.due(1_000, 2)).toEqual([event(3), event(4)]);
    expect(held.due(1_000, 2)).toEqual([event(5)]);
    expect(held.resent).toBe(5);
  });
});
