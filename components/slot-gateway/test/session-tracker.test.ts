import { derivePlayerToken, newEventId, SCHEMA_VERSION, type SlotEvent } from '@croupier/contracts';
import { describe, expect, it } from 'vitest';
import { SessionTracker } from '../src/index.js';
import { smibGame } from './fixtures/smib-events.js';

const TOKEN = derivePlayerToken(Buffer.alloc(32, 7), '6011000990139424');

const cardIn = (machineId: string): SlotEvent => ({
  eventId: newEventId(),
  eventTime: Date.now(),
  schemaVersion: SCHEMA_VERSION,
  machineId,
  type: 'card_in',
  playerToken: TOKEN,
});
/** A game as SlotGateway hands it on: the SMIB's game with the session's token and id. */
const game = (machineId: string, sessionId: string) =>
  smibGame(machineId, { playerToken: TOKEN, sessionId }) as SlotEvent;

describe('SessionTracker replaying the outbox at start', () => {
  it('GIVEN an unsent card-in and card-out WHEN followed by a session tracker THEN the sessions end as handling their SMIB events left them', () => {
    const tracker = new SessionTracker([['slot-0002', { playerToken: TOKEN, sessionId: 'earlier' }]]);
    const first = cardIn('slot-0001');
    const second = cardIn('slot-0002');
    for (const event of [first, game('slot-0001', first.eventId), second]) tracker.follow(event);
    expect(tracker.snapshot()).toEqual(
      new Map([
        ['slot-0001', { playerToken: TOKEN, sessionId: first.eventId }],
        ['slot-0002', { playerToken: TOKEN, sessionId: second.eventId }],
      ]),
    );
    tracker.follow({ ...first, eventId: newEventId(), type: 'card_out' } as SlotEvent);
    expect(tracker.current('slot-0001')).toBeUndefined();
  });
});
