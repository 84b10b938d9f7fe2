import { type ChildProcess, spawn } from 'node:child_process';

/** Two connected pseudo-terminals from `socat -d -d pty,raw,echo=0 pty,raw,echo=0`: a serial line in a test. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  close(): Promise<void>;
}

/** Starts socat and resolves once it reports both pty paths and its transfer loop. */
export async function openPtyPair(): Promise<PtyPair> {
  const child: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const [a, b] = await new Promise<string[]>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`socat did not report its ptys: ${text}`)), 10_000);
    child.once('error', reject);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = [...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string);
      if (found.length === 2 && text.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return {
    a: a!,
    b: b!,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
