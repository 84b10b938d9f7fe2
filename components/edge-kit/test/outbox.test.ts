import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEventId } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger, Outbox, SegmentLog } from '../src/index.js';

const logger = createLogger({ component: 'outbox-test', sink: () => {} });
const Reading = z.object({ eventId: z.string(), value: z.number() });
type Reading = z.infer<typeof Reading>;
const reading = (value: number): Reading => ({ eventId: newEventId(), value });

describe('Outbox: events between their production and the confirmation of their delivery', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-kit-outbox-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const open = (name: string) =>
    Outbox.open({
      directory: join(dir, name),
      segmentBytes: 64 * 1024,
      fsync: 'always',
      logger,
      name,
      schema: Reading,
    });

  it('GIVEN deliveries confirmed out of order WHEN reopened THEN exactly the unconfirmed events come back, in order, and only the run confirmed from the start is committed', async () => {
    const outbox = await open('out-of-order');
    const events = Array.from({ length: 6 }, (_, i) => reading(i));
    const seqs = events.map((e) => outbox.add(e));
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5]);
    // 0, 1 and 3 confirmed: the commit stops at 2, so 3 is resent after a crash (a duplicate the
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

  it('GIVEN a record that does not meet the schema WHEN unsent events are read THEN it is counted as unreadable and the events around it still come back', async () => {
    const outbox = await open('unreadable');
    const before = reading(1);
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
    log.write(() => Buffer.from('not json'));
    await log.close();
    const reopened = await open('unreadable');
    const after = reading(2);
    reopened.add(after);
    const { entries, unreadable } = await reopened.unsent();
    expect(unreadable).toBe(2);
    expect(entries.map((e) => e.event)).toEqual([before, after]);
    await reopened.close();
  });
});
