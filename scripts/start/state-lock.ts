import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Whether a process with this pid exists (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, or undefined when it is gone (Linux `/proc`). */
async function commandLine(pid: number): Promise<string | undefined> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (text) => text.replaceAll('\0', ' '),
    () => undefined,
  );
}

/**
 * One floor per state folder: `floor.pid` holds the running start command's pid. A pid file left
 * by a floor that was killed (its process is gone) is taken over, and the component processes that
 * floor left behind (recorded in `floor.json`, recognised by their entry point) are stopped first,
 * so a restart never runs two Uplinks on one spool.
 */
export async function lockStateFolder(
  stateDir: string,
  note: (message: string) => void,
): Promise<{ release(): Promise<void> }> {
  const pidFile = join(stateDir, 'floor.pid');
  const previous = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(previous) && previous !== process.pid && isAlive(previous)) {
    throw new Error(`a local floor (pid ${previous}) already runs on ${stateDir}; stop it first`);
  }
  if (Number.isInteger(previous)) {
    note(`taking over ${pidFile} from a floor that did not stop cleanly (pid ${previous})`);
    await stopLeftoverComponents(stateDir, note);
  }
  await writeFile(pidFile, `${process.pid}\n`);
  return { release: () => rm(pidFile, { force: true }) };
}

async function stopLeftoverComponents(stateDir: string, note: (message: string) => void): Promise<void> {
  const summary = await readFile(join(stateDir, 'floor.json'), 'utf8').then(
    (text) => JSON.parse(text) as { components?: { name?: unknown; pid?: unknown }[] },
    () => ({ components: [] }),
  );
  for (const component of summary.components ?? []) {
    if (typeof component.pid !== 'number' || typeof component.name !== 'string') continue;
    const line = await commandLine(component.pid);
    // A recycled pid belongs to someone else: only a process running a Croupier component is stopped.
    if (!line?.includes('/components/')) continue;
    note(`stopping ${component.name} left running by that floor (pid ${component.pid})`);
    process.kill(component.pid, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(component.pid); i++) await new Promise((r) => setTimeout(r, 200));
  }
}
