import { describe, expect, it } from 'vitest';
import { formatLatencyReport, summarise } from './latency.js';

describe('GIVEN latency samples', () => {
  it('WHEN summarised THEN p50 and p99 are nearest-rank percentiles and max the largest', () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(summarise(samples)).toEqual({ samples: 200, p50Ms: 100, p99Ms: 198, maxMs: 200 });
    expect(summarise([7])).toEqual({ samples: 1, p50Ms: 7, p99Ms: 7, maxMs: 7 });
    expect(summarise([])).toEqual({ samples: 0, p50Ms: null, p99Ms: null, maxMs: null });
  });

  it('WHEN a report is printed THEN each latency has its percentiles and sample count', () => {
    const text = formatLatencyReport({
      rating: summarise([1000, 2000, 3000]),
      offer: summarise([]),
      gamesPublished: 3,
      offersShown: 0,
      pollMs: 100,
      ratingResolutionMs: 180,
      measuredSeconds: 60,
      machinesPlaying: 2,
      slotTimeScale: 20,
    });
    expect(text).toContain('2 machines playing at ×20, 60 s');
    expect(text).toMatch(
      /SMIB game event → rating in DynamoDB\s+p50\s+2000 ms\s+p99\s+3000 ms\s+max\s+3000 ms\s+\(n=3\)/,
    );
    expect(text).toMatch(/machine display\s+p50\s+—\s+p99\s+—/);
    expect(text).toContain('overstates by up to 180 ms');
  });
});
