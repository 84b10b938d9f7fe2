import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@croupier/edge-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeJournal } from '../src/intake-journal.js';
import { gamePlayed } from './fixtures/events.js';

const logger = createLogger({ component: 'test', sink: () => {} });

describe('IntakeJournal', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uplink-journal-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const open = (name: string) =>
    IntakeJournal.open({
      directory: join(dir, name),
      stream: 'slot',
      segmentBytes: 64 * 1024,
      fsync: 'always',
      logger,
    });

  it('GIVEN messages journalled one after another WHEN the journal is reopened THEN each is one record and every event comes back in order', async () => {
    const journal = await open('records');
    const events = Array.from({ length: 50 }, (_, i) => gamePlayed(i, Date.UTC(2026, 10, 22) + i));
    const entries = [...journal.record(events.slice(0, 1)), ...journal.record(events.slice(1))];
    // Written before `record` returned, no await: one record per message, the last event closing it.
    expect(journal.pending).toBe(2);
    expect(entries.map((e) => e.seq)).toEqual([0, ...Array(49).fill(1)]);
    expect(entries.filter((e) => e.last).length).toBe(2);
    await journal.close();

    const reopened = await open('records');
    const recovered = await reopened.recover();
    expect(recovered.unreadable).toBe(0);
    expect(recovered.entries.map((r) => r.event)).toEqual(events);
    await reopened.close();
  });

  it('GIVEN a record whose events went into two envelopes WHEN only the first envelope is committed THEN the record stays; once the second is, nothing is left to replay', async () => {
    const journal = await open('partial');
    const [first] = journal.record([gamePlayed(0, Date.UTC(2026, 10, 22))]);
    const rest = journal.record([1, 2, 3].map((i) => gamePlayed(i, Date.UTC(2026, 10, 22) + i)));
    await journal.commitThrough(first!);
    await journal.commitThrough(rest[0]!);
    expect(journal.pending).toBe(1);
    await journal.close();
    const afterPartial = await open('partial');
    expect((await afterPartial.recover()).entries).toHaveLength(3);
    await afterPartial.commitThrough((await afterPartial.recover()).entries.at(-1)!.entry);
    expect(afterPartial.pending).toBe(0);
    await afterPartial.close();
    const settled = await open('partial');
    expect((await settled.recover()).entries).toEqual([]);
    await settled.close();
  });
});
