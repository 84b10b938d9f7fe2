import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { derivePlayerToken, newEventId, SCHEMA_VERSION, SmibEvent } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CardSession, SessionFile, SessionTracker, tokenise } from '../src/index.js';

const KEY = randomBytes(32);
const session = (card: string): CardSession => ({
  playerToken: derivePlayerToken(KEY, card),
  sessionId: newEventId(),
});

describe('SessionFile: open card sessions in the work directory', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-gateway-sessions-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN no file yet WHEN loaded THEN there are no open sessions and no problem', async () => {
    expect(await new SessionFile(join(dir, 'missing.json')).load()).toEqual({ sessions: new Map() });
  });

  it('GIVEN sessions opened by card-in events WHEN saved and loaded by a new file object THEN the same sessions come back and no card number is on disk', async () => {
    const path = join(dir, 'round-trip.json');
    const tracker = new SessionTracker();
    const cardIn = (machineId: string, cardNumber: string) =>
      tokenise(
        SmibEvent.parse({
          eventId: newEventId(),
          eventTime: Date.now(),
          schemaVersion: SCHEMA_VERSION,
          machineId,
          type: 'card_in',
          cardNumber,
        }),
        KEY,
        tracker,
        undefined,
      );
    cardIn('slot-0001', '6011000990139424');
    cardIn('slot-0002', '4111111111111111');
    await new SessionFile(path).save(tracker.snapshot());

    const loaded = await new SessionFile(path).load();
    expect(loaded.problem).toBeUndefined();
    expect(loaded.sessions).toEqual(tracker.snapshot());
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('6011000990139424');
    expect(text).not.toContain('4111111111111111');
  });

  it('GIVEN many saves in a burst WHEN they settle THEN each resolves and the file holds the last state', async () => {
    const path = join(dir, 'burst.json');
    const file = new SessionFile(path);
    const tracker = new SessionTracker();
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 50; i += 1) {
      tracker.cardIn(`slot-${String(i).padStart(4, '0')}`, session(`CARD${i}`));
      if (i % 3 === 0) tracker.cardOut(`slot-${String(i).padStart(4, '0')}`);
      saves.push(file.save(tracker.snapshot()));
    }
    await Promise.all(saves);
    const loaded = await new SessionFile(path).load();
    expect(loaded.sessions).toEqual(tracker.snapshot());
    expect(loaded.sessions.size).toBe(33);
  });

  it('GIVEN a file that is not a session document WHEN loaded THEN no sessions are resumed and the problem is reported', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"version":1,"sessions":{"slot-0001":{"playerToken":"x"');
    expect(await new SessionFile(broken).load()).toEqual({ sessions: new Map(), problem: 'not JSON' });

    const foreign = join(dir, 'foreign.json');
    await writeFile(
      foreign,
      JSON.stringify({ version: 1, sessions: { 'slot-0001': { ...session('CARD1'), cardNumber: 'CARD1' } } }),
    );
    const loaded = await new SessionFile(foreign).load();
    expect(loaded.sessions.size).toBe(0);
    expect(loaded.problem).toMatch(/cardNumber/);
  });
});
