import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { derivePlayerToken, newEventId, SCHEMA_VERSION, type SlotEvent } from '@croupier/contracts';
import { createLogger, SegmentLog } from '@croupier/edge-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox, SessionTracker } from '../src/index.js';
import { smibGame } from './fixtures/smib-events.js';

const logger = createLogger({ component: 'outbox-test', sink: () => {} });
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

describe('Outbox: slot events between their handling and the broker’s acknowledgement', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-gateway-outbox-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const open = (name: string) =>
    Outbox.open({ directory: join(dir, name), segmentBytes: 64 * 1024, fsync: 'always', logger });

  it('GIVEN publishes acknowledged out of order WHEN reopened THEN exactly the unacknowledged events come back, in order, and only the run acknowledged from the start is committed', async () => {
    const outbox = await open('out-of-order');
    const opened = cardIn('slot-0001');
    const events = [opened, ...Array.from({ length: 5 }, () => game('slot-0001', opened.eventId))];
    const seqs = events.map((e) => outbox.add(e));
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5]);
    // 0, 1 and 3 acknowledged: the commit stops at 2, so 3 is resent after a crash (a duplicate the
    // cloud drops), never skipped.
    for (const seq of [3, 0, 1]) outbox.sent(seq);
    await outbox.close();
    expect(outbox.pending).toBe(4);

    const reopened = await open('out-of-order');
    const { entries, unreadable } = await reopened.unsent();
    expect(unreadable).toBe(0);
    expect(entries.map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    expect(entries.map((e) => e.event)).toEqual(events.slice(2));
    for (const { seq } of entries) reopened.sent(seq);
    await reopened.close();
    expect((await (await open('out-of-order')).unsent()).entries).toEqual([]);
  });

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

  it('GIVEN a record that is not a slot event WHEN unsent events are read THEN it is counted as unreadable and the events around it still come back', async () => {
    const outbox = await open('unreadable');
    const before = cardIn('slot-0003');
    outbox.add(before);
    await outbox.close();
    // As an older version, or another writer, might have left it: a well-framed record of something else.
    const log = await SegmentLog.open({
      directory: join(dir, 'unreadable'),
      segmentBytes: 64 * 1024,
      fsync: 'always',
      logger,
    });
    log.write(() => Buffer.from('{"type":"card_in","cardNumber":"x"}'));
    await log.close();
    const reopened = await open('unreadable');
    const after = game('slot-0003', before.eventId);
    reopened.add(after);
    const { entries, unreadable } = await reopened.unsent();
    expect(unreadable).toBe(1);
    expect(entries.map((e) => e.event)).toEqual([before, after]);
    await reopened.close();
  });
});
