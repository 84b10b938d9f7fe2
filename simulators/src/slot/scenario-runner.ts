import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FloorMachine } from './floor-plan.js';
import { createSlotFloorModel, SlotFloorSimulation } from './floor-simulation.js';
import { type LiveRunStats, runLiveFloor } from './live-floor.js';
import { OfferResponder } from './offer-responder.js';
import type { SlotScenario } from './scenario.js';
import { SimulatedClock } from './simulated-clock.js';
import { smibCredentialsFrom } from './smib-credentials.js';
import { SmibFleet } from './smib-fleet.js';

export interface LiveScenarioResult {
  readonly stats: LiveRunStats;
  readonly machines: number;
  readonly sessions: number;
  readonly displays: number;
  /** Connection drops the SMIBs went through (and recovered from) during the run. */
  readonly interruptions: number;
  /** Offers answered by players on the machine displays. */
  readonly offerResponses: number;
  /** Events the core had still not acknowledged when the SMIBs disconnected (after `ackWaitMs`). */
  readonly unacknowledged: number;
}

/**
 * Runs a scenario's live floor: connects one SMIB per machine to the broker, plays the simulation on
 * the wall clock at the scenario's time scale, then writes the ground truth (with every event) and the
 * display log. Stops early, still writing both, when `signal` aborts.
 */
export async function runLiveScenario(
  scenario: SlotScenario,
  playerTokenKey: Uint8Array,
  signal?: AbortSignal,
): Promise<LiveScenarioResult> {
  const live = scenario.live;
  if (live === undefined) throw new Error('the scenario has no "live" section');
  const model = createSlotFloorModel(scenario, playerTokenKey);
  const startMs = live.start ?? Date.now();
  // Stamps display arrivals while connecting; restarted once every SMIB is connected, so the first
  // events are not already late.
  let clock = new SimulatedClock(startMs, Date.now(), live.timeScale);
  let responder: OfferResponder | undefined;
  const fleet = await SmibFleet.connect({
    machineIds: model.machines.map((m) => m.identity.machineId),
    host: live.broker.host,
    port: live.broker.port,
    caPem: await readFile(live.broker.caPath, 'utf8'),
    credentialsFor: smibCredentialsFrom(live.broker),
    simTimeFor: (wallMs) => clock.simTimeFor(wallMs),
    onDisplayRecord: (record) => responder?.onDisplay(record),
  });
  const simulation = new SlotFloorSimulation(
    model,
    { startMs, endMs: startMs + live.durationHours * 3_600_000 },
    { recordEvents: true },
  );
  clock = new SimulatedClock(startMs, Date.now(), live.timeScale);
  const machinesById = new Map(model.machines.map((m) => [m.identity.machineId, m]));
  responder = new OfferResponder({
    seed: scenario.seed,
    acceptShare: live.offerAcceptShare,
    clock,
    publish: (machineId, event) => fleet.get(machineId).publish(event),
    onResponse: (event, sessionKey) =>
      simulation.truth.recordEvent(event, machinesById.get(event.machineId) as FloorMachine, sessionKey),
  });
  const observer = responder;
  let stats: LiveRunStats;
  let interruptions = 0;
  let unacknowledged = 0;
  try {
    stats = await runLiveFloor({
      simulation,
      clock,
      publisher: { publish: (machineId, event) => fleet.get(machineId).publish(event) },
      onEmitted: (event) => observer.observe(event),
      ...(signal === undefined ? {} : { signal }),
    });
    await responder.drain();
    // A real SMIB never stops resending; a stopping simulator gives the core a moment to acknowledge.
    unacknowledged = await fleet.settle(live.ackWaitMs);
  } finally {
    interruptions = fleet.interruptions;
    await fleet.close();
  }
  const truth = simulation.truth.toDocument({ seed: scenario.seed, propertyId: scenario.property.propertyId });
  await writeJson(live.groundTruthPath, {
    ...truth,
    run: { startMs, timeScale: live.timeScale, stats, unacknowledged },
  });
  if (live.displayLogPath !== undefined) await writeJson(live.displayLogPath, fleet.displays);
  return {
    stats,
    machines: model.machines.length,
    sessions: truth.sessions.length,
    displays: fleet.displays.length,
    interruptions,
    offerResponses: truth.eventCounts.offer_response ?? 0,
    unacknowledged,
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Ground truth holds card numbers (floor-only data): owner-readable only.
  await writeFile(path, `${JSON.stringify(value)}\n`, { mode: 0o600 });
}
