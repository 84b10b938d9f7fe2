import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { lakePartition, ShufflerMaintenanceRecord, ShufflerTelemetry } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShufflerHistory, type ShufflerHistorySummary } from '../../src/history/shuffler-history.js';
import { FAILURE_MODE_PROFILES } from '../../src/shuffler/failure-modes.js';
import { ShufflerScenario } from '../../src/shuffler/scenario.js';

const scenario = (seed: number) =>
  ShufflerScenario.parse({
    name: 'history-test',
    seed,
    fleet: { size: 5, games: { blackjack: 1, baccarat: 1, poker: 1 } },
    failures: { meanHoursBetweenFailures: 30, noPrecursorShare: 0.3, preventiveServiceHours: 40 },
    history: { start: '2026-03-01T22:00:00Z', days: 3, sampleSeconds: 300, stepSeconds: 60, writer: 'hist-test' },
  });

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function folderHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await filesUnder(dir)) {
    hash
      .update(file)
      .update('\0')
      .update(await readFile(join(dir, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

async function records(dir: string, stream: string): Promise<{ file: string; lines: unknown[] }[]> {
  const files = (await filesUnder(dir)).filter((f) => f.startsWith(`raw/${stream}/`));
  return Promise.all(
    files.map(async (file) => ({
      file,
      lines: gunzipSync(await readFile(join(dir, file)))
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    })),
  );
}

describe('GIVEN the shuffler history generator', () => {
  const dirs: string[] = [];
  let first: string;
  let summary: ShufflerHistorySummary;

  async function generate(seed: number): Promise<{ dir: string; summary: ShufflerHistorySummary }> {
    const dir = await mkdtemp(join(tmpdir(), 'shuffler-history-'));
    dirs.push(dir);
    return { dir, summary: await generateShufflerHistory(scenario(seed), dir) };
  }

  beforeAll(async () => {
    ({ dir: first, summary } = await generate(11));
  });

  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('WHEN run twice with the same seed THEN the lake folders are byte-identical; another seed differs', async () => {
    const again = await generate(11);
    const other = await generate(12);
    const hash = await folderHash(first);
    expect(await folderHash(again.dir)).toBe(hash);
    expect(await folderHash(other.dir)).not.toBe(hash);
    expect(again.summary).toEqual(summary);
  });

  it('THEN telemetry is one valid contract event per device per sample, in its hour partition, time-ordered', async () => {
    const objects = await records(first, 'shuffler');
    const all = objects.flatMap((o) => o.lines);
    expect(all.length).toBe(5 * 3 * 24 * 12);
    expect(summary.telemetryEvents).toBe(all.length);
    expect(objects.length).toBe(3 * 24);
    for (const { file, lines } of objects) {
      const events = lines.map((line) => ShufflerTelemetry.parse(line));
      const times = events.map((e) => e.eventTime);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(
        file.startsWith(`${lakePartition('raw', 'shuffler', times[0]!)}/hist-test-${times[0]}-000000.jsonl.gz`),
      ).toBe(true);
      for (const t of times)
        expect(lakePartition('raw', 'shuffler', t)).toBe(lakePartition('raw', 'shuffler', times[0]!));
    }
    expect(new Set(all.map((e) => (e as ShufflerTelemetry).eventId)).size).toBe(all.length);
  });

  it('THEN failures and services are labelled on the service stream, and telemetry shows each failure as a fault', async () => {
    const maintenance = (await records(first, 'service')).flatMap((o) =>
      o.lines.map((line) => ShufflerMaintenanceRecord.parse(line)),
    );
    const failures = maintenance.filter((r) => r.type === 'shuffler_failure');
    const services = maintenance.filter((r) => r.type === 'shuffler_service');
    const counted = Object.values(summary.failures).reduce((n, c) => n + c.withPrecursor + c.withoutPrecursor, 0);
    expect(failures.length).toBe(counted);
    expect(failures.length).toBeGreaterThan(3);
    expect(services.filter((s) => s.kind === 'repair').length).toBe(summary.services.repair);
    expect(services.filter((s) => s.kind === 'preventive').length).toBeGreaterThan(0);

    const telemetry = (await records(first, 'shuffler'))
      .flatMap((o) => o.lines)
      .map((line) => ShufflerTelemetry.parse(line));
    let checked = 0;
    for (const failure of failures) {
      const repair = services.find(
        (s) => s.deviceId === failure.deviceId && s.kind === 'repair' && s.eventTime >= failure.eventTime,
      );
      const after = telemetry.find((e) => e.deviceId === failure.deviceId && e.eventTime > failure.eventTime + 60_000);
      if (!after || (repair && after.eventTime >= repair.eventTime)) continue;
      expect(after.state).toBe('fault');
      expect(after.faultCode).toBe(FAILURE_MODE_PROFILES[failure.mode].faultCode);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
    for (const service of services) {
      const after = telemetry.find(
        (e) => e.deviceId === service.deviceId && e.eventTime >= service.completedAt + 60_000,
      );
      if (after)
        expect(after.gauges.hoursSinceService).toBeLessThan((after.eventTime - service.completedAt) / 3_600_000 + 0.1);
    }
  });
});
