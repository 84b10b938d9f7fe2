import { describe, expect, it } from 'vitest';
import { decideComponentUpdate, MAX_DEFERRAL_MS, RECHECK_AFTER_MS } from '../src/index.js';

describe('decideComponentUpdate', () => {
  const now = 1_800_000_000_000;
  it('GIVEN a backlog draining over a healthy link WHEN a deployment asks THEN it is deferred with a reason', () => {
    expect(decideComponentUpdate({ pendingEnvelopes: 12, lastSuccessAt: now - 1_000 }, now, now)).toEqual({
      defer: true,
      recheckAfterMs: RECHECK_AFTER_MS,
      reason: 'draining 12 spooled envelopes',
    });
  });
  it('GIVEN the link is down WHEN a deployment asks THEN it goes ahead: the spool is durable and waiting gains nothing', () => {
    expect(decideComponentUpdate({ pendingEnvelopes: 500, lastSuccessAt: now - 60_000 }, now, now)).toEqual({
      defer: false,
    });
  });
  it('GIVEN a deployment already held for the maximum WHEN it asks again THEN it goes ahead', () => {
    expect(decideComponentUpdate({ pendingEnvelopes: 3, lastSuccessAt: now }, now, now - MAX_DEFERRAL_MS)).toEqual({
      defer: false,
    });
  });
  it('GIVEN an empty spool WHEN a deployment asks THEN it goes ahead', () => {
    expect(decideComponentUpdate({ pendingEnvelopes: 0, lastSuccessAt: now }, now, now)).toEqual({ defer: false });
  });
});
