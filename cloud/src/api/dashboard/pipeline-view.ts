import type { FlowLine, PipelineView } from './dashboard-snapshot.js';
import type { PipelineCounters, PipelineReading } from './pipeline-source.js';

/**
 * Rates of the counters between two readings. A counter absent before counts from zero; one that
 * went down (a restarted source) reports its new total as the change. Pure.
 */
export function flowLines(previous: PipelineCounters, current: PipelineCounters, elapsedMs: number): FlowLine[] {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return Object.entries(current).map(([name, total]) => {
    const before = previous[name] ?? 0;
    return { name, total, perSecond: (total >= before ? total - before : total) / seconds };
  });
}

/**
 * The pipeline panel from two consecutive readings (rates need two; the first reading shows
 * totals at zero rate). Spool depth is the sum over the Uplink reports, spool age the oldest. Pure.
 */
export function pipelineView(previous: PipelineReading | undefined, current: PipelineReading): PipelineView {
  const flows = previous
    ? flowLines(previous.counters, current.counters, current.at - previous.at)
    : Object.entries(current.counters).map(([name, total]) => ({ name, total, perSecond: 0 }));
  const spools = current.components.filter((c) => c.metrics['spool.depth'] !== undefined);
  return {
    available: true,
    eventsPerSecond: flows.find((f) => f.name === current.headlineCounter)?.perSecond ?? 0,
    flows,
    streams: current.streams,
    spoolDepth: spools.length > 0 ? spools.reduce((sum, c) => sum + (c.metrics['spool.depth'] ?? 0), 0) : null,
    spoolOldestAgeMs: spools.length > 0 ? Math.max(...spools.map((c) => c.metrics['spool.oldestAgeMs'] ?? 0)) : null,
    components: [...current.components].sort(
      (a, b) => a.core.localeCompare(b.core) || a.component.localeCompare(b.component),
    ),
  };
}
