import { describe, expect, it } from 'vitest';
import { UnackedEvents } from '../../src/slot/unacked-events.js';

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
    held.acknowledge(['e-2', 'e-9', 'e-2']);
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
});
