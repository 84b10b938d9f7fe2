/**
 * `npm run faults`: the fault suite at full scale. Starts a floor core and the local cloud, injects
 * every fault in turn, prints the table and writes it to docs/faults.md. The CI suite
 * (test/faults/faults.test.ts) runs the same faults at reduced scale.
 *
 * `npm run faults -- --only "kill -9 Uplink" --only "…"` runs the named faults and prints their rows
 * without touching docs/faults.md, which always holds one whole run.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FaultRig } from '../test/faults/support/fault-rig.js';
import { type FaultRow, renderFaultTable } from '../test/faults/support/fault-row.js';
import {
  type FaultScale,
  faultSuite,
  mountSmallFilesystem,
  unmountSmallFilesystem,
} from '../test/faults/support/faults.js';
import { renderFaultsDoc } from '../test/faults/support/faults-doc.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

const FULL_SCALE: FaultScale = {
  rounds: 3,
  alertsPerRound: 5,
  flaps: 5,
  flapHalfMs: 6_000,
  downMs: 5_000,
  // The CRT client backs off up to 30 s between reconnects: a quiet period must outlast that and a restart.
  quietMs: 75_000,
  settleMs: 240_000,
};
const MACHINES = 20;

async function main(): Promise<void> {
  const { only } = parseArgs({ options: { only: { type: 'string', multiple: true } } }).values;
  const dir = await mkdtemp(join(tmpdir(), 'croupier-faults-'));
  const mountDir = join(dir, 'spool-fs');
  await mkdir(mountDir);
  const diskMount = (await mountSmallFilesystem(mountDir)) ? mountDir : undefined;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (!diskMount)
    log('cannot mount a small filesystem here (needs root or passwordless sudo): disk-full fault skipped');
  const started = Date.now();
  let rig: FaultRig | undefined;
  const rows: FaultRow[] = [];
  try {
    rig = await FaultRig.start({
      dir,
      repositoryRoot,
      core: 'fault-core-1',
      machines: MACHINES,
      shufflers: 2,
      failureModelDir: join(dir, 'failure-model'),
      ...(diskMount ? { uplinkSpoolDir: join(diskMount, 'spool') } : {}),
      log: () => {},
    });
    const suite = faultSuite({ rig, ...(diskMount ? { diskMount } : {}) });
    const unknown = (only ?? []).filter((name) => !suite.some((fault) => fault.name === name));
    if (unknown.length > 0) throw new Error(`no such fault: ${unknown.join(', ')}`);
    for (const fault of suite.filter((f) => !only || only.includes(f.name))) {
      log(`fault: ${fault.name}`);
      const row = await fault.run({ rig, scale: FULL_SCALE, log });
      rows.push(row);
    }
  } finally {
    await rig?.stop();
    if (diskMount) await unmountSmallFilesystem(diskMount);
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${renderFaultTable(rows)}\n`);
  if (only) return;
  const doc = renderFaultsDoc(rows, {
    date: new Date(started).toISOString().slice(0, 10),
    cores: cpus().length,
    minutes: (Date.now() - started) / 60_000,
    machines: MACHINES,
  });
  await writeFile(join(repositoryRoot, 'docs', 'faults.md'), doc);
  process.stdout.write(`\nwrote docs/faults.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`faults: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
