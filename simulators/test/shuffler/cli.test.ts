import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, readWholeProfile, tcpClient } from './helpers.js';

const TSX = 'node_modules/.bin/tsx';

function run(args: string[]): {
  child: ChildProcess;
  lines: AsyncIterableIterator<string>;
  done: Promise<number | null>;
} {
  const child = spawn(TSX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator](), done };
}

async function stderrOf(child: ChildProcess): Promise<string> {
  let text = '';
  for await (const chunk of child.stderr!) text += String(chunk);
  return text;
}

describe('GIVEN the shuffler CLIs and a scenario file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuffler-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN the live CLI starts on port 0 THEN it prints where it listens and serves the fleet until SIGTERM', async () => {
    const scenario = join(dir, 'live.json');
    await writeFile(
      scenario,
      JSON.stringify({ name: 'cli-live', seed: 1, fleet: { size: 3, games: { poker: 1 } }, live: { timeScale: 60 } }),
    );
    const { child, lines, done } = run(['simulators/src/shuffler/cli.ts', '--scenario', scenario, '--port', '0']);
    try {
      const first = await lines.next();
      const listening = JSON.parse(first.value as string) as {
        kind: string;
        tcp: { port: number };
        units: { unitId: number; serialNumber: string }[];
      };
      expect(listening.kind).toBe('listening');
      expect(listening.units.map((u) => u.unitId)).toEqual([1, 2, 3]);
      const client = await tcpClient(listening.tcp.port, 3);
      expect((await readWholeProfile(client)).serialNumber).toBe(listening.units[2]!.serialNumber);
      await closeClient(client);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await done).toBe(0);
  });

  it('WHEN the history CLI runs THEN it writes the lake and prints a summary; a bad scenario exits 1 with the reason', async () => {
    const scenario = join(dir, 'history.json');
    const out = join(dir, 'lake');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'cli-history',
        seed: 2,
        fleet: { size: 2 },
        history: { start: '2026-02-01T00:00:00Z', days: 0.25, sampleSeconds: 600 },
      }),
    );
    const ok = run(['simulators/src/history/cli.ts', '--scenario', scenario, '--out', out, '--quiet']);
    let text = '';
    for await (const line of ok.lines) text += line;
    expect(await ok.done).toBe(0);
    const summary = JSON.parse(text) as { devices: number; telemetryEvents: number; objects: number };
    expect(summary).toMatchObject({ devices: 2, telemetryEvents: 2 * 6 * 6 });
    const written = (await readdir(out, { recursive: true })).filter((f) => f.endsWith('.jsonl.gz'));
    expect(written.length).toBe(summary.objects);

    await writeFile(scenario, JSON.stringify({ name: 'bad', seed: 2, fleet: { size: 0 } }));
    const bad = run(['simulators/src/history/cli.ts', '--scenario', scenario, '--out', out]);
    const stderr = stderrOf(bad.child);
    expect(await bad.done).toBe(1);
    expect(await stderr).toMatch(/fleet\.size/);
  });
});
