import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { derivePlayerToken, lakePartition, type SlotEvent, SlotEvent as SlotEventSchema } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSlotHistory, type SlotHistoryResult } from '../../src/history/slot-history.js';
import { createSlotFloorModel } from '../../src/slot/floor-simulation.js';
import { EVENING_START_MS, smallFloorConfig, TEST_TOKEN_KEY } from './fixtures.js';

const HOURS = 6;

async function generate(outDir: string, seed: string): Promise<SlotHistoryResult> {
  const model = createSlotFloorModel(
    smallFloorConfig({ seed, players: { count: 150, tripsPerMonthMedian: 8 } }),
    TEST_TOKEN_KEY,
  );
  return generateSlotHistory({
    model,
    playerTokenKey: TEST_TOKEN_KEY,
    startMs: EVENING_START_MS,
    endMs: EVENING_START_MS + HOURS * 3_600_000,
    outDir,
    writer: 'slot-history',
    maxEventsPerFile: 2_000,
    duplicateShare: 0.001,
    groundTruthPath: join(outDir, 'ground-truth.json'),
  });
}

async function lakeFiles(root: string): Promise<string[]> {
  const entries = await readdir(join(root, 'raw'), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function fingerprint(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await lakeFiles(root)) {
    out[relative(root, f)] = createHash('sha256')
      .update(await readFile(f))
      .digest('hex');
  }
  return out;
}

describe('GIVEN six hours of slot history generated twice with one seed, and once with another', () => {
  let dirs: string[];
  let a: SlotHistoryResult;

  beforeAll(async () => {
    dirs = await Promise.all([0, 1, 2].map(() => mkdtemp(join(tmpdir(), 'slot-history-'))));
    a = await generate(dirs[0] as string, 'history');
    await generate(dirs[1] as string, 'history');
    await generate(dirs[2] as string, 'history-other');
  });

  afterAll(async () => {
    await Promise.all((dirs ?? []).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('THEN the files are byte-identical for the same seed and differ for another', async () => {
    const fa = await fingerprint(dirs[0] as string);
    const fb = await fingerprint(dirs[1] as string);
    expect(Object.keys(fa).length).toBe(a.objects);
    expect(a.objects).toBeGreaterThan(HOURS);
    expect(fb).toEqual(fa);
    expect(await readFile(join(dirs[1] as string, 'ground-truth.json'))).toEqual(
      await readFile(join(dirs[0] as string, 'ground-truth.json')),
    );
    const fc = await fingerprint(dirs[2] as string);
    expect(fc).not.toEqual(fa);
  });

  it('THEN each object is gzip with no timestamp, in its hour partition, and every line is an uplinked SlotEvent', async () => {
    const root = dirs[0] as string;
    const lines: SlotEvent[] = [];
    for (const file of await lakeFiles(root)) {
      const bytes = await readFile(file);
      expect(bytes.readUInt32LE(4)).toBe(0);
      const text = gunzipSync(bytes).toString('utf8');
      expect(text).not.toContain('cardNumber');
      const rel = relative(root, file);
      expect(rel).toMatch(/^raw\/slot\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}\/slot-history-\d{13}-\d{6}\.jsonl\.gz$/);
      for (const raw of text.trimEnd().split('\n')) {
        const parsed = SlotEventSchema.safeParse(JSON.parse(raw));
        expect(parsed.success, parsed.error?.message).toBe(true);
        const event = parsed.data as SlotEvent;
        expect(rel.startsWith(`${lakePartition('raw', 'slot', event.eventTime)}/`)).toBe(true);
        expect(event.location).toBeDefined();
        lines.push(event);
      }
    }
    expect(lines.length).toBe(a.events + a.duplicates);
    expect(new Set(lines.map((e) => e.eventId)).size).toBe(a.events);
    expect(a.duplicates).toBeGreaterThan(0);

    // Tokens and sessions as SlotGateway would set them, matching ground truth.
    const bySessionId = new Map(a.truth.sessions.filter((s) => s.sessionId).map((s) => [s.sessionId, s]));
    const seen = new Set<string>();
    const coinIn = new Map<string, number>();
    for (const e of lines) {
      if (seen.has(e.eventId)) continue;
      seen.add(e.eventId);
      if (e.type === 'card_in') {
        const s = bySessionId.get(e.eventId);
        expect(e.playerToken).toBe(derivePlayerToken(TEST_TOKEN_KEY, s?.cardNumber as string));
      }
      if (e.type === 'game_played' && e.sessionId !== undefined) {
        expect(e.playerToken).toBe(bySessionId.get(e.sessionId)?.playerToken);
        coinIn.set(e.sessionId, (coinIn.get(e.sessionId) ?? 0) + e.wagerCents);
      }
    }
    expect(coinIn.size).toBeGreaterThan(5);
    for (const [sessionId, cents] of coinIn) expect(cents).toBe(bySessionId.get(sessionId)?.coinInCents);
  });
});
