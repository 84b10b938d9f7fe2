import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Memory of a process from the text of `/proc/<pid>/status`, in bytes. */
export function parseProcStatus(text: string): { rssBytes: number; peakRssBytes: number } {
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    if (!match) throw new Error(`/proc status has no ${field} line`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** User plus system CPU time of a process, in clock ticks, from the text of `/proc/<pid>/stat`. */
export function parseProcStatTicks(text: string): number {
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return Number(fields[11]) + Number(fields[12]);
}

/** Clock ticks per second, as `/proc/<pid>/stat` counts CPU time. */
export function clockTicksPerSecond(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

/** Reads a process's memory and CPU ticks from /proc. */
export async function readProcess(pid: number): Promise<{ rssBytes: number; peakRssBytes: number; ticks: number }> {
  const [status, stat] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
  ]);
  return { ...parseProcStatus(status), ticks: parseProcStatTicks(stat) };
}
