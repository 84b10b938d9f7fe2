/**
 * Start offset and due times of one polling group. Slots are fixed on a grid from the (jittered) start,
 * so a slow poll does not push every later poll back: a slot that passed while busy is skipped, not queued.
 */
export function firstDue(startedAt: number, jitterMs: number, random: () => number): number {
  return startedAt + Math.floor(random() * (jitterMs + 1));
}

/** The first slot on the grid `first + k * intervalMs` that is later than `now`. */
export function nextDue(first: number, intervalMs: number, now: number): number {
  if (now < first) return first;
  return first + (Math.floor((now - first) / intervalMs) + 1) * intervalMs;
}
