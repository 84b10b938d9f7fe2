import type { SlotEvent } from '@croupier/contracts';
import { v7 as uuidv7 } from 'uuid';

let counter = 0;
/** A fresh, time-ordered event id at `t`. */
export const eventId = (t: number) => {
  counter += 1;
  const random = new Uint8Array(16);
  new DataView(random.buffer).setUint32(12, counter);
  return uuidv7({ msecs: t, random });
};

/** A carded session on one machine: card-in, `games` games of `wagerCents` at `hold`, 20 s apart. */
export function playSession(options: {
  playerToken: string;
  machineId: string;
  start: number;
  games: number;
  wagerCents: number;
  hold: number;
  winCents?: number;
  billIns?: number;
  cardOut?: boolean;
}): { sessionId: string; events: SlotEvent[]; end: number } {
  const base = {
    machineId: options.machineId,
    schemaVersion: '1.0',
    location: { bank: 'bank-1', zone: 'main-floor', x: 1, y: 1 },
  };
  const sessionId = eventId(options.start);
  const events: SlotEvent[] = [
    { ...base, eventId: sessionId, eventTime: options.start, type: 'card_in', playerToken: options.playerToken },
  ];
  let t = options.start;
  for (let i = 0; i < (options.billIns ?? 0); i += 1) {
    t += 1_000;
    events.push({
      ...base,
      eventId: eventId(t),
      eventTime: t,
      type: 'bill_in',
      amountCents: 10_000,
      playerToken: options.playerToken,
      sessionId,
    });
  }
  for (let g = 0; g < options.games; g += 1) {
    t += 20_000;
    events.push({
      ...base,
      eventId: eventId(t),
      eventTime: t,
      type: 'game_played',
      gameId: 'game-1',
      paytableId: 'pt-1',
      theoreticalHold: options.hold,
      denominationCents: 1,
      wagerCents: options.wagerCents,
      winCents: options.winCents ?? 0,
      playerToken: options.playerToken,
      sessionId,
    });
  }
  if (options.cardOut) {
    t += 1_000;
    events.push({
      ...base,
      eventId: eventId(t),
      eventTime: t,
      type: 'card_out',
      playerToken: options.playerToken,
      sessionId,
      reason: 'removed',
    });
  }
  return { sessionId, events, end: t };
}
