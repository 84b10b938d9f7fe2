import type { DecodedEnvelope } from '@croupier/contracts';
import { z } from 'zod';

/**
 * What a shard accumulates over one tumbling window, carried by Lambda between invocations as the
 * `state` object (at most 1 MB). Players are kept as 16-hex-digit token prefixes: distinct-counting
 * needs no more, and a window of a busy floor stays far below the limit.
 */
export const WindowState = z.object({
  coinInByZone: z.record(z.string(), z.number()).default({}),
  games: z.int().default(0),
  players: z.array(z.string()).default([]),
  faults: z.int().default(0),
  /** `stream:core:seq` of every envelope folded in, so a re-delivered envelope is not counted twice. */
  envelopes: z.array(z.string()).default([]),
});
export type WindowState = z.infer<typeof WindowState>;

export const emptyWindowState = (): WindowState => WindowState.parse({});

/** Folds envelopes into a window's state. Pure. */
export function foldEnvelopes(state: WindowState, envelopes: readonly DecodedEnvelope[]): WindowState {
  const coinInByZone = { ...state.coinInByZone };
  const players = new Set(state.players);
  const seen = new Set(state.envelopes);
  let { games, faults } = state;
  for (const envelope of envelopes) {
    const key = `${envelope.header.stream}:${envelope.header.core}:${envelope.header.seq}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const event of envelope.events) {
      switch (event.type) {
        case 'game_played': {
          games += 1;
          const zone = event.location?.zone ?? 'unknown';
          coinInByZone[zone] = (coinInByZone[zone] ?? 0) + event.wagerCents;
          if (event.playerToken) players.add(event.playerToken.slice(0, 16));
          break;
        }
        case 'card_in':
        case 'bill_in':
          if (event.playerToken) players.add(event.playerToken.slice(0, 16));
          break;
        case 'shuffler_telemetry':
          if (event.state === 'fault') faults += 1;
          break;
        default:
          break;
      }
    }
  }
  return { coinInByZone, games, players: [...players], faults, envelopes: [...seen] };
}

/** The KPIs of a closed window. */
export interface WindowKpis {
  readonly coinInPerMinuteByZone: Readonly<Record<string, number>>;
  readonly gamesPerMinute: number;
  readonly activeCardedPlayers: number;
  readonly shufflerFaults: number;
}

/** Turns a window's totals into per-minute KPIs. Pure. */
export function windowKpis(state: WindowState, windowMs: number): WindowKpis {
  const minutes = windowMs / 60_000;
  return {
    coinInPerMinuteByZone: Object.fromEntries(
      Object.entries(state.coinInByZone).map(([zone, cents]) => [zone, cents / minutes]),
    ),
    gamesPerMinute: state.games / minutes,
    activeCardedPlayers: state.players.length,
    shufflerFaults: state.faults,
  };
}
