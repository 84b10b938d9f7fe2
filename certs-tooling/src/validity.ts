const DAY_MS = 86_400_000;
/** Back-dating absorbs small clock differences between the CA host, cores and the broker. */
const BACKDATE_MS = 5 * 60_000;

/** Validity window starting a few minutes in the past and lasting `days` days. */
export function validityWindow(days: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(days) || days < 1) throw new Error(`validityDays must be a positive integer, got ${days}`);
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}
