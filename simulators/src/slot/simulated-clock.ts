/**
 * Maps the simulated clock onto the wall clock: simulated time runs `timeScale` times faster, from
 * `simStartMs` at the moment `wallStartMs`. Events carry simulated time; scheduling uses wall time.
 */
export class SimulatedClock {
  constructor(
    readonly simStartMs: number,
    readonly wallStartMs: number,
    readonly timeScale: number,
  ) {
    if (!(timeScale > 0)) throw new RangeError(`time scale must be > 0, got ${timeScale}`);
  }

  /** The wall-clock instant at which a simulated instant is due. */
  wallTimeFor(simMs: number): number {
    return this.wallStartMs + (simMs - this.simStartMs) / this.timeScale;
  }

  /** The simulated instant for a wall-clock instant. */
  simTimeFor(wallMs: number): number {
    return Math.round(this.simStartMs + (wallMs - this.wallStartMs) * this.timeScale);
  }
}
