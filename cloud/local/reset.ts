/**
 * `npm run local-cloud:reset -w cloud`: deletes the local cloud's state (streams, tables,
 * checkpoints, on-failure records, SNS log, time series, lake). Certificates are kept. Refuses
 * while a local cloud started from this state folder is still running.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLocalCloudConfig } from './local-cloud-config.js';
import { repositoryRoot, resetStateFolder, stateFolder } from './state-folder.js';

async function runningPid(pidFile: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
  } catch {
    return undefined;
  }
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const config = parseLocalCloudConfig(process.env);
  const state = stateFolder(config.CROUPIER_STATE_DIR);
  const pid = await runningPid(join(state.root, 'cloud', 'local-cloud.pid'));
  if (pid !== undefined) throw new Error(`the local cloud is running (pid ${pid}); stop it first`);
  await resetStateFolder(state, [repositoryRoot(), tmpdir()]);
  process.stdout.write(`local cloud state removed from ${state.root} (certificates kept)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`local-cloud:reset: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
