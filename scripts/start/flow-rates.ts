/** Monotonic counters of the pipeline, read at one instant. */
export type FlowCounters = Readonly<Record<string, number>>;

/** One counter's change between two readings. */
export interface FlowRate {
  readonly name: string;
  readonly total: number;
  readonly perSecond: number;
}

/**
 * Rates between two readings of the same counters. A counter absent from the earlier reading counts
 * from zero; a counter that went down (a restarted source) reports its new total as the change.
 */
export function flowRates(previous: FlowCounters, current: FlowCounters, elapsedMs: number): FlowRate[] {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return Object.entries(current).map(([name, total]) => {
    const before = previous[name] ?? 0;
    const delta = total >= before ? total - before : total;
    return { name, total, perSecond: delta / seconds };
  });
}

/** `telemetry 12.3/s (1 204)`-style summary of the rates, in the given order. */
export function formatFlowRates(rates: readonly FlowRate[]): string {
  return rates
    .map(({ name, total, perSecond }) => `${name} ${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s (${total})`)
    .join(' · ');
}
