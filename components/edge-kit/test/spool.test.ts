import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, SegmentLog, Spool } from '../src/index.js';
import { spoolPayload } from './fixtures/spool-payload.js';

const logger = createLogger({ component: 'spool-test', sink: () => {} });
const writer = new URL('./fixtures/spool-writer.ts', import.meta.url).pathname;
const syncWriter = new URL('./fixtures/sync-writer.ts', import.meta.url).pathname;

/** Runs the writer child until it has acknowledged `acks` records, then SIGKILLs it. */
function killWriterAfter(directory: string, acks: number): Promise<{ acked: number[]; committed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, directory], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: number[] = [];
    let committed = 0;
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'ack') acked.push(Number(value));
        if (kind === 'commit') committed = Number(value);
      }
      if (acked.length >= acks && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited without being killed (${signal})`));
      else resolve({ acked, committed });
    });
  });
}

describe('SegmentLog crash safety', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-kit-spool-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN a writer killed with SIGKILL mid-stream, twice WHEN the log is recovered THEN every acknowledged record is intact, in order, and the commit offset is kept', async () => {
    const directory = join(dir, 'kill9');
    const first = await killWriterAfter(directory, 150);
    const second = await killWriterAfter(directory, 120);
    const acked = [...first.acked, ...second.acked];
    expect(acked[0]).toBe(0);
    // The second run resumes after the last acknowledged record of the first, or one past it (written, unacknowledged).
    expect(second.acked[0]! - first.acked.at(-1)!).toBeGreaterThanOrEqual(1);
    expect(second.acked[0]! - first.acked.at(-1)!).toBeLessThanOrEqual(2);

    const log = await SegmentLog.open({ directory, segmentBytes: 256 * 1024, fsync: 'always', logger });
    expect(log.committed).toBeGreaterThanOrEqual(second.committed);
    const records = await log.read(log.committed, 100_000);
    const lastAcked = acked.at(-1)!;
    // Every acknowledged, uncommitted record is there; a record written but not yet acknowledged may be too.
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: records.length }, (_, i) => log.committed + i));
    expect(records.at(-1)!.seq).toBeGreaterThanOrEqual(lastAcked);
    for (const record of records) expect(record.payload.equals(spoolPayload(record.seq))).toBe(true);
    // Appending after recovery continues the sequence without reusing a seq.
    const next = await log.append((seq) => spoolPayload(seq));
    expect(next.seq).toBe(records.at(-1)!.seq + 1);
    await log.close();
  }, 90_000);

  it('GIVEN records written with `write` and the writer SIGKILLed in the same tick WHEN recovered THEN every one is there', async () => {
    const directory = join(dir, 'sync-kill9');
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', syncWriter, directory, '2000'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (_code, signal) =>
        signal === 'SIGKILL' ? resolve(out) : reject(new Error(`writer was not killed (${signal})`)),
      );
    });
    expect(output.trim()).toBe('wrote 2000');

    const log = await SegmentLog.open({ directory, segmentBytes: 16 * 1024, fsync: 'always', logger });
    const records = await log.read(0, 10_000);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    for (const record of records) expect(record.payload.equals(spoolPayload(record.seq))).toBe(true);
    // 2,000 records over 16 KiB segments: the rolls were synchronous too.
    expect((await readdir(directory)).filter((n) => n.endsWith('.seg')).length).toBeGreaterThan(5);
    await log.close();
  }, 60_000);

  it('GIVEN a torn frame at the end of a segment WHEN recovered THEN the tail is truncated and the records before it are kept', async () => {
    const directory = join(dir, 'torn');
    const log = await SegmentLog.open({ directory, segmentBytes: 1024 * 1024, fsync: 'always', logger });
    for (let i = 0; i < 5; i++) await log.append((seq) => spoolPayload(seq));
    await log.close();
    const [segment] = (await readdir(directory)).filter((n) => n.endsWith('.seg'));
    const path = join(directory, segment!);
    const goodSize = (await stat(path)).size;
    // Half a frame: a length claiming 1000 bytes, a CRC and a few payload bytes, as a power cut leaves it.
    const torn = Buffer.alloc(40);
    torn.writeUInt32BE(1000, 0);
    await appendFile(path, torn);

    const recovered = await SegmentLog.open({ directory, segmentBytes: 1024 * 1024, fsync: 'always', logger });
    expect(recovered.truncatedBytesOnRecovery).toBe(40);
    expect((await stat(path)).size).toBe(goodSize);
    const records = await recovered.read(0, 100);
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    for (const r of records) expect(r.payload.equals(spoolPayload(r.seq))).toBe(true);
    expect((await recovered.append((seq) => spoolPayload(seq))).seq).toBe(5);
    await recovered.close();
  });

  it('GIVEN a corrupted byte inside the last record WHEN recovered THEN only that record is cut', async () => {
    const directory = join(dir, 'flip');
    const log = await SegmentLog.open({ directory, segmentBytes: 1024 * 1024, fsync: 'always', logger });
    for (let i = 0; i < 3; i++) await log.append(() => Buffer.from(`record-${i}`));
    await log.close();
    const [segment] = (await readdir(directory)).filter((n) => n.endsWith('.seg'));
    const { open } = await import('node:fs/promises');
    const file = await open(join(directory, segment!), 'r+');
    const size = (await file.stat()).size;
    await file.write(Buffer.from('X'), 0, 1, size - 1);
    await file.close();
    const recovered = await SegmentLog.open({ directory, segmentBytes: 1024 * 1024, fsync: 'always', logger });
    expect((await recovered.read(0, 10)).map((r) => r.payload.toString())).toEqual(['record-0', 'record-1']);
    await recovered.close();
  });

  it('GIVEN commits WHEN reopened THEN reading resumes after the commit offset, acknowledged segments are deleted, and seqs are never reused', async () => {
    const directory = join(dir, 'commit');
    const log = await SegmentLog.open({ directory, segmentBytes: 100, fsync: 'never', logger });
    for (let i = 0; i < 10; i++) await log.append(() => Buffer.alloc(60, i));
    await log.commit(7);
    await log.close();
    // Two records per segment: segments ending at seq 2, 4 and 6 are fully acknowledged and gone.
    expect((await readdir(directory)).filter((n) => n.endsWith('.seg'))).toHaveLength(2);
    const reopened = await SegmentLog.open({ directory, segmentBytes: 100, fsync: 'never', logger });
    expect(reopened.committed).toBe(7);
    expect(reopened.pending).toBe(3);
    expect((await reopened.read(reopened.committed, 10)).map((r) => r.seq)).toEqual([7, 8, 9]);
    await reopened.commit(10);
    await reopened.close();
    const empty = await SegmentLog.open({ directory, segmentBytes: 100, fsync: 'never', logger });
    expect(empty.nextSeq).toBe(10);
    expect(empty.pending).toBe(0);
    await empty.close();
  });
});

describe('Spool eviction policy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-kit-spool-evict-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const streams = [
    { name: 'slot', priority: 4, critical: true },
    { name: 'alert', priority: 3, critical: false },
    { name: 'health', priority: 1, critical: false },
  ];

  it('GIVEN a full spool WHEN a critical stream appends THEN the oldest health data goes first, then alerts, and only then is the append refused', async () => {
    let now = 1_700_000_000_000;
    const spool = await Spool.open({
      directory: join(dir, 'evict'),
      streams,
      maxBytes: 4_000,
      segmentBytes: 500,
      fsync: 'never',
      logger,
      now: () => now,
    });
    const payload = Buffer.alloc(184);
    for (let i = 0; i < 8; i++) expect((await spool.append('health', 184, () => payload)).ok).toBe(true);
    for (let i = 0; i < 8; i++) expect((await spool.append('alert', 184, () => payload)).ok).toBe(true);
    for (let i = 0; i < 4; i++) expect((await spool.append('slot', 184, () => payload)).ok).toBe(true);
    expect(spool.bytes).toBe(4_000);
    now += 5_000;

    // Slot appends evict health (lowest priority) first, oldest segment first.
    for (let i = 0; i < 8; i++) expect((await spool.append('slot', 184, () => payload)).ok).toBe(true);
    let stats = spool.stats();
    expect(stats.health!.evictedRecords).toBe(8);
    expect(stats.alert!.evictedRecords).toBe(0);
    expect(spool.log('health').committed).toBe(8);

    // Health may not evict alerts (higher priority): it is refused instead.
    expect(await spool.append('health', 184, () => payload)).toEqual({ ok: false, reason: 'full' });

    for (let i = 0; i < 8; i++) expect((await spool.append('slot', 184, () => payload)).ok).toBe(true);
    stats = spool.stats();
    expect(stats.alert!.evictedRecords).toBe(8);
    expect(stats.slot).toMatchObject({ pendingRecords: 20, evictedRecords: 0, oldestPendingAgeMs: 5_000 });

    // Only critical data left: refused, never evicted.
    expect(await spool.append('slot', 184, () => payload)).toEqual({ ok: false, reason: 'full' });
    expect(spool.log('slot').pending).toBe(20);
    await spool.close();
  });
});
