import { describe, expect, it } from 'vitest';
import { flowRates, formatFlowRates } from '../../scripts/start/flow-rates.js';

describe('GIVEN two readings of the pipeline counters', () => {
  it('WHEN counters grew THEN the rate is the growth per second and the total the new value', () => {
    expect(flowRates({ telemetry: 100, alerts: 2 }, { telemetry: 150, alerts: 2 }, 10_000)).toEqual([
      { name: 'telemetry', total: 150, perSecond: 5 },
      { name: 'alerts', total: 2, perSecond: 0 },
    ]);
  });

  it('WHEN a counter is new or went down (a restarted source) THEN it counts from zero', () => {
    expect(flowRates({ a: 40 }, { a: 10, b: 4 }, 2_000)).toEqual([
      { name: 'a', total: 10, perSecond: 5 },
      { name: 'b', total: 4, perSecond: 2 },
    ]);
  });

  it('WHEN formatted THEN low rates keep one decimal and high rates none', () => {
    expect(
      formatFlowRates([
        { name: 'telemetry', total: 1204, perSecond: 12.34 },
        { name: 'alerts', total: 3, perSecond: 0.25 },
      ]),
    ).toBe('telemetry 12/s (1204) · alerts 0.3/s (3)');
  });
});
