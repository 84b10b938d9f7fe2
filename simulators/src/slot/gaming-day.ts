/** Property-local gaming days: a trip is a gaming day with play, the unit of ADT. */

const QUARTER_HOUR_MS = 15 * 60 * 1000;

/**
 * Maps instants to the property's gaming day (`YYYY-MM-DD`): the local calendar date of
 * `eventTime - startHour`, so play between midnight and the start hour belongs to the previous day.
 * Every time zone offset is a multiple of 15 minutes, so the answer is constant within a UTC quarter
 * hour and is cached per quarter hour (Intl formatting is far too slow to run once per game).
 */
export class GamingDayCalendar {
  readonly #format: Intl.DateTimeFormat;
  readonly #hourFormat: Intl.DateTimeFormat;
  readonly #startMs: number;
  readonly #cache = new Map<number, string>();
  readonly #hourCache = new Map<number, number>();

  constructor(
    readonly timeZone: string,
    readonly startHour: number,
  ) {
    if (!Number.isInteger(startHour) || startHour < 0 || startHour > 23) {
      throw new RangeError(`gaming day start hour must be an integer 0-23, got ${startHour}`);
    }
    this.#format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.#hourFormat = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' });
    this.#startMs = startHour * 3_600_000;
  }

  /** The property-local hour (0-23) of an instant. */
  localHourOf(eventTimeMs: number): number {
    const quarter = Math.floor(eventTimeMs / QUARTER_HOUR_MS);
    let hour = this.#hourCache.get(quarter);
    if (hour === undefined) {
      hour = Number(this.#hourFormat.format(new Date(quarter * QUARTER_HOUR_MS)));
      if (this.#hourCache.size > 100_000) this.#hourCache.clear();
      this.#hourCache.set(quarter, hour);
    }
    return hour;
  }

  /** The gaming day an instant belongs to. */
  dayOf(eventTimeMs: number): string {
    const quarter = Math.floor(eventTimeMs / QUARTER_HOUR_MS);
    let day = this.#cache.get(quarter);
    if (day === undefined) {
      day = this.#format.format(new Date(quarter * QUARTER_HOUR_MS - this.#startMs));
      if (this.#cache.size > 100_000) this.#cache.clear();
      this.#cache.set(quarter, day);
    }
    return day;
  }
}
