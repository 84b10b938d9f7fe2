/** Simulated time: starts at a chosen instant and runs `timeScale` times faster than real time. */
export interface SimClock {
  /** Current simulated time, ms since the Unix epoch. */
  now(): number;
  readonly timeScale: number;
}

/**
 * A clock that maps real elapsed time to simulated time. `realNow` is injectable so tests can drive it
 * by hand; it defaults to the monotonic `performance.now()` so wall-clock jumps do not move it.
 */
export function scaledClock(options: { startMs: number; timeScale: number; realNow?: () => number }): SimClock {
  const { startMs, timeScale } = options;
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  const realNow = options.realNow ?? (() => performance.now());
  const realStart = realNow();
  return {
    timeScale,
    now: () => startMs + (realNow() - realStart) * timeScale,
  };
}

/** A clock moved only by {@link ManualClock.advance}; for tests and batch runs. */
export interface ManualClock extends SimClock {
  advance(ms: number): void;
}

export function manualClock(startMs: number): ManualClock {
  let now = startMs;
  return {
    timeScale: 1,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
