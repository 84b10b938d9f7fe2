import { createHash } from 'node:crypto';
import type { SlotEvent } from '@croupier/contracts';
import { v7 as uuidv7 } from 'uuid';
import type { EnvelopeSpec } from './kinesis-batch.js';

/** Deterministic PRNG (mulberry32): the same seed gives the same floor. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  };
}

/** Holds as certified decimal strings: the ground truth computes with them exactly, in BigInt. */
const PAYTABLES = [
  { paytableId: 'pt-8250', hold: '0.0825' },
  { paytableId: 'pt-0500', hold: '0.05' },
  { paytableId: 'pt-1234', hold: '0.1234' },
  { paytableId: 'pt-0350', hold: '0.035' },
  { paytableId: 'pt-1500', hold: '0.15' },
  { paytableId: 'pt-0071', hold: '0.071111' },
] as const;

export const PROPERTY = 'prop-1';

export interface TruthSession {
  readonly sessionId: string;
  readonly playerToken: string;
  readonly machineId: string;
  games: number;
  coinInCents: number;
  winCents: number;
  /** Exact theo, micro-cents. */
  theoMicros: bigint;
  readonly ending: 'removed' | 'smib_abandoned' | 'left_in';
}

export interface FloorScenario {
  readonly envelopes: EnvelopeSpec<'slot'>[];
  readonly sessions: Map<string, TruthSession>;
  /** Theo per player per gaming day (UTC date of eventTime − 6 h), micro-cents. */
  readonly trips: Map<string, Map<string, bigint>>;
  readonly players: string[];
}

const holdPpm = (hold: string) => {
  const [whole, fraction = ''] = hold.split('.');
  return BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
};

/** Gaming day for the test configuration (UTC, day starts 06:00), computed independently of the code under test. */
export const truthGamingDay = (t: number) => new Date(t - 6 * 3_600_000).toISOString().slice(0, 10);

export const playerToken = (i: number) => createHash('sha256').update(`player-${i}`).digest('hex');

/**
 * A deterministic floor: players play sessions over several gaming days on machines behind two
 * cores; some sessions end with a card-out, some are declared abandoned by the SMIB, some are left
 * in (the next card-in elsewhere abandons them). Events are uplinked in envelopes of 1–6 events per
 * core with per-core sequence numbers, as the Uplink does.
 */
export function floorScenario(seed: number, options: { players: number; days: number }): FloorScenario {
  const rng = prng(seed);
  const machines = Array.from({ length: 8 }, (_, i) => ({
    machineId: `slot-${String(i).padStart(3, '0')}`,
    core: i < 4 ? 'core-a' : 'core-b',
    zone: i % 2 === 0 ? 'main-floor' : 'high-limit',
    bank: `bank-${Math.floor(i / 2)}`,
    paytable: PAYTABLES[i % PAYTABLES.length]!,
    denominationCents: [1, 5, 25, 100][i % 4]!,
  }));
  const players = Array.from({ length: options.players }, (_, i) => playerToken(i));
  const sessions = new Map<string, TruthSession>();
  const trips = new Map<string, Map<string, bigint>>();
  const events: { core: string; event: SlotEvent }[] = [];
  const id = (t: number) => uuidv7({ msecs: t, random: rng.bytes(16) });
  const start = Date.UTC(2026, 10, 1, 14, 0, 0);

  for (const token of players) {
    let t = start + rng.int(0, 3_600_000);
    for (let day = 0; day < options.days; day += 1) {
      t = Math.max(t, start + day * 86_400_000 + rng.int(0, 6 * 3_600_000));
      const sessionsToday = rng.int(0, 2);
      for (let s = 0; s < sessionsToday; s += 1) {
        const machine = rng.pick(machines);
        const location = { bank: machine.bank, zone: machine.zone, x: 10, y: 20 };
        const cardIn = id(t);
        const ending = rng.pick(['removed', 'removed', 'smib_abandoned', 'left_in'] as const);
        const truth: TruthSession = {
          sessionId: cardIn,
          playerToken: token,
          machineId: machine.machineId,
          games: 0,
          coinInCents: 0,
          winCents: 0,
          theoMicros: 0n,
          ending,
        };
        sessions.set(cardIn, truth);
        const base = { machineId: machine.machineId, schemaVersion: '1.0', location };
        events.push({
          core: machine.core,
          event: { ...base, eventId: cardIn, eventTime: t, type: 'card_in', playerToken: token },
        });
        const games = rng.int(1, 40);
        for (let g = 0; g < games; g += 1) {
          t += rng.int(2_000, 9_000);
          if (rng.next() < 0.05) {
            events.push({
              core: machine.core,
              event: {
                ...base,
                eventId: id(t),
                eventTime: t,
                type: 'bill_in',
                amountCents: 2_000,
                playerToken: token,
                sessionId: cardIn,
              },
            });
            t += 1;
          }
          const wagerCents = machine.denominationCents * rng.int(1, 30);
          const winCents = rng.next() < 0.3 ? wagerCents * rng.int(0, 5) : 0;
          events.push({
            core: machine.core,
            event: {
              ...base,
              eventId: id(t),
              eventTime: t,
              type: 'game_played',
              gameId: `game-${machine.paytable.paytableId}`,
              paytableId: machine.paytable.paytableId,
              theoreticalHold: Number(machine.paytable.hold),
              denominationCents: machine.denominationCents,
              wagerCents,
              winCents,
              playerToken: token,
              sessionId: cardIn,
            },
          });
          const micros = BigInt(wagerCents) * holdPpm(machine.paytable.hold);
          truth.games += 1;
          truth.coinInCents += wagerCents;
          truth.winCents += winCents;
          truth.theoMicros += micros;
          const dayKey = truthGamingDay(t);
          const playerTrips = trips.get(token) ?? new Map<string, bigint>();
          playerTrips.set(dayKey, (playerTrips.get(dayKey) ?? 0n) + micros);
          trips.set(token, playerTrips);
        }
        t += rng.int(1_000, 5_000);
        if (ending !== 'left_in') {
          events.push({
            core: machine.core,
            event: {
              ...base,
              eventId: id(t),
              eventTime: t,
              type: 'card_out',
              playerToken: token,
              sessionId: cardIn,
              reason: ending === 'removed' ? 'removed' : 'abandoned',
            },
          });
        }
        t += rng.int(600_000, 7_200_000);
      }
      // Uncarded play and machine events between sessions rate nobody.
      const machine = rng.pick(machines);
      events.push({
        core: machine.core,
        event: {
          machineId: machine.machineId,
          schemaVersion: '1.0',
          eventId: id(t),
          eventTime: t,
          type: 'door',
          door: 'main',
          state: 'open',
        },
      });
    }
  }

  events.sort((a, b) => a.event.eventTime - b.event.eventTime);
  const envelopes: EnvelopeSpec<'slot'>[] = [];
  const seqByCore = new Map<string, number>();
  const pendingByCore = new Map<string, SlotEvent[]>();
  const flush = (core: string) => {
    const pending = pendingByCore.get(core) ?? [];
    if (pending.length === 0) return;
    const seq = seqByCore.get(core) ?? 0;
    seqByCore.set(core, seq + 1);
    envelopes.push({ stream: 'slot', property: PROPERTY, core, seq, events: pending });
    pendingByCore.set(core, []);
  };
  for (const { core, event } of events) {
    const pending = pendingByCore.get(core) ?? [];
    pending.push(event);
    pendingByCore.set(core, pending);
    if (pending.length >= rng.int(1, 6)) flush(core);
  }
  for (const core of pendingByCore.keys()) flush(core);
  return { envelopes, sessions, trips, players };
}
