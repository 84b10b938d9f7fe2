import { randomBytes } from 'node:crypto';
import {
  derivePlayerToken,
  type MachineIdentity,
  newEventId,
  SCHEMA_VERSION,
  SlotEvent,
  type SmibEvent,
} from '@croupier/contracts';
import { describe, expect, it } from 'vitest';
import { DuplicateFilter, maskCardNumbers, SessionTracker, tokenise } from '../src/index.js';

const key = randomBytes(32);
const machine: MachineIdentity = {
  machineId: 'slot-0007',
  location: { bank: 'bank-2', zone: 'high-limit', x: 3, y: 4 },
  denominationCents: 25,
  gameId: 'lightning',
  paytable: { paytableId: 'lt-92', theoreticalHold: 0.08 },
};
const base = (type: string) => ({
  eventId: newEventId(),
  eventTime: 1_800_000_000_000,
  schemaVersion: SCHEMA_VERSION,
  machineId: 'slot-0007',
  type,
});

/** A game on the test machine, with `extra` (the card fields an SMIB may add). */
const smibGame = (extra: Record<string, string> = {}) =>
  ({
    ...base('game_played'),
    gameId: 'lightning',
    paytableId: 'lt-92',
    theoreticalHold: 0.08,
    denominationCents: 25,
    wagerCents: 100,
    winCents: 0,
    ...extra,
  }) as SmibEvent;

describe('tokenise', () => {
  it('GIVEN card in, a game, card out and a game after WHEN tokenised THEN carded events carry the token and session, and the card number is gone', () => {
    const sessions = new SessionTracker();
    const cardIn = { ...base('card_in'), cardNumber: 'ABC12345' } as SmibEvent;
    const game = smibGame();
    const cardOut = { ...base('card_out'), cardNumber: 'ABC12345', reason: 'removed' } as SmibEvent;
    const later = { ...game, eventId: newEventId() } as SmibEvent;
    const token = derivePlayerToken(key, 'ABC12345');
    const out = [cardIn, game, cardOut, later].map((e) => SlotEvent.parse(tokenise(e, key, sessions, machine)));
    expect(out[0]).toMatchObject({ type: 'card_in', playerToken: token, location: machine.location });
    expect(out[1]).toMatchObject({ playerToken: token, sessionId: cardIn.eventId });
    expect(out[2]).toMatchObject({ type: 'card_out', playerToken: token, sessionId: cardIn.eventId });
    expect(out[3]).not.toHaveProperty('playerToken');
    expect(JSON.stringify(out)).not.toContain('ABC12345');
    expect(sessions.openSessions).toBe(0);
  });

  it('GIVEN games carrying the SMIB’s card and session that arrive before their card-in (a resent card-in) WHEN tokenised THEN they are rated to that card and session all the same, and no card number is left', () => {
    const sessions = new SessionTracker();
    const cardIn = { ...base('card_in'), cardNumber: 'ABC12345' } as SmibEvent;
    const token = derivePlayerToken(key, 'ABC12345');
    const early = SlotEvent.parse(
      tokenise(smibGame({ cardNumber: 'ABC12345', sessionId: cardIn.eventId }), key, sessions, machine),
    );
    expect(early).toMatchObject({ playerToken: token, sessionId: cardIn.eventId });
    // With the card only, the session comes from the card-in this gateway saw, if it is that card's.
    tokenise(cardIn, key, sessions, machine);
    expect(tokenise(smibGame({ cardNumber: 'ABC12345' }), key, sessions, machine)).toMatchObject({
      playerToken: token,
      sessionId: cardIn.eventId,
    });
    const otherCard = tokenise(smibGame({ cardNumber: 'XYZ98765' }), key, sessions, machine);
    expect(otherCard).toMatchObject({ playerToken: derivePlayerToken(key, 'XYZ98765') });
    expect(otherCard).not.toHaveProperty('sessionId');
    expect(JSON.stringify([early, otherCard])).not.toMatch(/ABC12345|XYZ98765|cardNumber/);
  });

  it('GIVEN a card out for a different card than the one in WHEN tokenised THEN it does not claim the open session', () => {
    const sessions = new SessionTracker();
    tokenise({ ...base('card_in'), cardNumber: 'CARD0001' } as SmibEvent, key, sessions, undefined);
    const out = tokenise(
      { ...base('card_out'), cardNumber: 'CARD0002', reason: 'removed' } as SmibEvent,
      key,
      sessions,
      undefined,
    );
    expect(out).not.toHaveProperty('sessionId');
    expect(out).not.toHaveProperty('location');
  });
});

describe('DuplicateFilter', () => {
  it('GIVEN repeats inside and outside the window, and a full table WHEN checked THEN only repeats still remembered are dropped', () => {
    const filter = new DuplicateFilter(3, 1_000);
    expect(filter.firstSeen('a', 0)).toBe(true);
    expect(filter.firstSeen('a', 500)).toBe(false);
    expect(filter.firstSeen('a', 1_600)).toBe(true);
    for (const id of ['b', 'c', 'd']) filter.firstSeen(id, 1_700);
    expect(filter.size).toBe(3);
    expect(filter.firstSeen('a', 1_800)).toBe(true);
  });
});

describe('maskCardNumbers', () => {
  const card = '6011000990139424';

  it('GIVEN raw text with card numbers WHEN masked THEN the numbers are gone, the rest kept', () => {
    expect(maskCardNumbers(`{"cardNumber": "${card}","x":1, broken`)).toBe('{"cardNumber": "****","x":1, broken');
  });

  it('GIVEN JSON with a card number as a number, under an escaped key, or nested THEN every one is masked after parsing', () => {
    expect(maskCardNumbers(`{"type":"card_in","cardNumber":${card}}`)).toBe('{"type":"card_in","cardNumber":"****"}');
    expect(maskCardNumbers(`{"card\\u004eumber":"${card}","eventId":1}`)).toBe('{"cardNumber":"****","eventId":1}');
    expect(
      maskCardNumbers(
        JSON.stringify({ a: [{ card_number: card }, { CardNumber: { pan: card } }], 'card-number': [card], n: 7 }),
      ),
    ).toBe('{"a":[{"card_number":"****"},{"CardNumber":"****"}],"card-number":"****","n":7}');
  });

  it('GIVEN JSON with a __proto__ key THEN it stays a plain key of the masked message', () => {
    expect(maskCardNumbers(`{"__proto__":{"cardNumber":"${card}"}}`)).toBe('{"__proto__":{"cardNumber":"****"}}');
  });

  it('GIVEN text that is no JSON object THEN every run of 12 or more digits is masked, grouped or not', () => {
    expect(maskCardNumbers(`card=${card}; short=12345678901`)).toBe('card=****; short=12345678901');
    expect(maskCardNumbers('pan 6011 0009 9013 9424 and 6011-0009-9013-9424')).toBe('pan **** and ****');
    expect(maskCardNumbers(card)).toBe('****');
    expect(maskCardNumbers(`"${card}"`)).toBe('"****"');
  });
});
