import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventTruth, GroundTruthDocument, LiveRunStats, SessionTruth } from '@croupier/simulators';
import type { ShufflerGroundTruthLine } from '../../../scripts/start/shuffler-floor.js';

/** The slot simulator's ground truth as the live floor writes it when it stops. */
export type SlotGroundTruth = GroundTruthDocument & {
  readonly events: readonly EventTruth[];
  readonly run: {
    readonly startMs: number;
    readonly timeScale: number;
    readonly stats: LiveRunStats;
    /** Events SlotGateway had not acknowledged when the SMIBs disconnected. */
    readonly unacknowledged: number;
  };
};

/** A closed session as the rating must hold it, computed from the simulator's events. */
export interface ExpectedSession {
  readonly sessionId: string;
  readonly playerToken: string;
  readonly machineId: string;
  readonly state: 'closed' | 'abandoned';
  readonly games: number;
  readonly coinInCents: number;
  readonly winCents: number;
  /** Σ wager × hold in integer micro-cents (holds are certified to six decimals). */
  readonly theoMicros: number;
  /** The simulator's own record of the session, to cross-check the sums. */
  readonly truth: SessionTruth;
}

export async function readSlotGroundTruth(stateDir: string): Promise<SlotGroundTruth> {
  const doc = JSON.parse(
    await readFile(join(stateDir, 'simulators', 'slot-live-ground-truth.json'), 'utf8'),
  ) as SlotGroundTruth;
  if (!doc.events) throw new Error('the slot ground truth has no events: was it written by the live floor?');
  return doc;
}

export async function readShufflerGroundTruth(stateDir: string): Promise<ShufflerGroundTruthLine[]> {
  const path = join(stateDir, 'simulators', 'shuffler-live-ground-truth.jsonl');
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ShufflerGroundTruthLine);
}

/**
 * The events the SMIBs published: the simulator's ground truth, checked against the live runner's own
 * count (offer responses are published by the display handler, outside the runner's count). A floor
 * stopped between two events records nothing it did not publish.
 */
export function publishedSlotEvents(truth: SlotGroundTruth): { published: EventTruth[] } {
  const responses = truth.events.filter((e) => e.type === 'offer_response').length;
  const unpublished = truth.events.length - responses - truth.run.stats.emitted;
  if (unpublished !== 0) throw new Error(`ground truth records ${unpublished} events more than were published`);
  return { published: [...truth.events] };
}

/**
 * Every carded session the simulator closed (card out, or declared abandoned), with what it played,
 * summed from the published events themselves. A session one of whose events was never published is
 * left out: its truth describes play the floor did not see.
 */
export function expectedClosedSessions(truth: SlotGroundTruth, published: readonly EventTruth[]): ExpectedSession[] {
  const holdByMachine = new Map(truth.machines.map((m) => [m.machineId, m.theoreticalHold]));
  const bySession = new Map<string, EventTruth[]>();
  for (const event of published) {
    if (event.sessionKey === undefined) continue;
    bySession.set(event.sessionKey, [...(bySession.get(event.sessionKey) ?? []), event]);
  }
  const out: ExpectedSession[] = [];
  for (const session of truth.sessions) {
    if (!session.carded || session.sessionId === null || session.playerToken === null) continue;
    if (session.cardOutReason === null) continue;
    const events = bySession.get(session.sessionKey) ?? [];
    if (!events.some((e) => e.type === 'card_out')) continue;
    const games = events.filter((e) => e.type === 'game_played');
    const hold = holdByMachine.get(session.machineId)!;
    const holdPpm = Math.round(hold * 1_000_000);
    out.push({
      sessionId: session.sessionId,
      playerToken: session.playerToken,
      machineId: session.machineId,
      state: session.cardOutReason === 'abandoned' ? 'abandoned' : 'closed',
      games: games.length,
      coinInCents: games.reduce((sum, e) => sum + e.wagerCents!, 0),
      winCents: games.reduce((sum, e) => sum + e.winCents!, 0),
      theoMicros: games.reduce((sum, e) => sum + e.wagerCents! * holdPpm, 0),
      truth: session,
    });
  }
  return out;
}
