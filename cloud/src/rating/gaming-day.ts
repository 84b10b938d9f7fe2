/**
 * The gaming day an instant belongs to: the property-local calendar date, where play before the
 * gaming day's start hour (e.g. 02:00 with a 06:00 start) counts for the previous date's trip.
 */
export class GamingDayCalendar {
  private readonly format: Intl.DateTimeFormat;

  constructor(
    timeZone: string,
    private readonly startHour: number,
  ) {
    this.format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
  }

  /** `YYYY-MM-DD` of the gaming day containing `epochMs`. */
  dayOf(epochMs: number): string {
    const parts = Object.fromEntries(this.format.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
    const year = Number(parts.year);
    const month = Number(parts.month);
    const day = Number(parts.day);
    const shift = Number(parts.hour) < this.startHour ? -1 : 0;
    // Calendar arithmetic on the local date itself, so DST changes cannot move the boundary.
    return new Date(Date.UTC(year, month - 1, day + shift)).toISOString().slice(0, 10);
  }
}
