import type { SmibEvent } from '@croupier/contracts';
import type { SlotFloorSimulation } from './floor-simulation.js';
import type { SimulatedClock } from './simulated-clock.js';

/** Where the live runner sends each event: normally the SMIB fleet. */
export interface EventPublisher {
  publish(machineId: string, event: SmibEvent): Promise<void>;
}

export interface LiveRunOptions {
  readonly simulation: SlotFloorSimulation;
  readonly clock: SimulatedClock;
  readonly publisher: EventPublisher;
  /** Publishes awaiting their PUBACK at most; beyond it the runner waits (back-pressure). */
  readonly maxInFlight?: number;
  readonly signal?: AbortSignal;
  /** Called with each event as it is handed to the publisher. */
  readonly onEmitted?: (event: SmibEvent) => void;
}

export interface LiveRunStats {
  emitted: number;
  acknowledged: number;
  failed: number;
  /** Largest lag of a publish behind its due wall-clock time, ms: > 0 means the process fell behind. */
  maxLagMs: number;
  aborted: boolean;
  readonly failures: { eventId: string; machineId: string; error: string }[];
}

/** Waits below this are skipped: timers are not that precise, and events that close are sent together. */
const MIN_SLEEP_MS = 2;
const MAX_FAILURES_KEPT = 100;

/**
 * Plays the pure simulation out on the wall clock: one loop for the whole floor (not a timer per
 * machine) takes events in time order, sleeps until each is due and hands it to the publisher without
 * waiting for its acknowledgement, so a slow machine never holds up the others.
 */
export async function runLiveFloor(opts: LiveRunOptions): Promise<LiveRunStats> {
  const maxInFlight = opts.maxInFlight ?? 2_000;
  const stats: LiveRunStats = { emitted: 0, acknowledged: 0, failed: 0, maxLagMs: 0, aborted: false, failures: [] };
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  let drained: (() => void) | undefined;
  const settle = () => {
    inFlight -= 1;
    slotFreed?.();
    slotFreed = undefined;
    if (inFlight === 0) drained?.();
  };
  // The simulation records ground truth as it yields an event, so the stop is checked before the next
  // event is taken: every event in the ground truth is one this loop published.
  const events = opts.simulation.events();
  for (;;) {
    if (opts.signal?.aborted) {
      stats.aborted = true;
      events.return(undefined);
      break;
    }
    const next = events.next();
    if (next.done) break;
    const { event, machine } = next.value;
    const due = opts.clock.wallTimeFor(event.eventTime);
    const wait = due - Date.now();
    if (wait >= MIN_SLEEP_MS) await sleep(wait, opts.signal);
    stats.maxLagMs = Math.max(stats.maxLagMs, Date.now() - due);
    while (inFlight >= maxInFlight) {
      await new Promise<void>((resolve) => {
        slotFreed = resolve;
      });
    }
    const machineId = machine.identity.machineId;
    inFlight += 1;
    stats.emitted += 1;
    opts.onEmitted?.(event);
    opts.publisher
      .publish(machineId, event)
      .then(
        () => {
          stats.acknowledged += 1;
        },
        (e: unknown) => {
          stats.failed += 1;
          if (stats.failures.length < MAX_FAILURES_KEPT) {
            stats.failures.push({ eventId: event.eventId, machineId, error: (e as Error).message });
          }
        },
      )
      .finally(settle);
  }
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
    });
  }
  return stats;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
