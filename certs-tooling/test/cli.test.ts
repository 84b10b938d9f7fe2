import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Runs the real CLI in a child process, as an operator would. */
async function cli(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args, '--dir', dir], {
      env: { ...process.env, INIT_CWD: dir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('certs-tooling CLI', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN an empty directory WHEN init-ca then core run THEN files are written 0600/0644 and no key is printed', async () => {
    const init = await cli(dir, 'init-ca', '--cn', 'Test Floor CA');
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toEqual({ certPath: join(dir, 'ca.cert.pem'), created: true });
    const core = await cli(dir, 'core', 'core-vegas-01', '--days', '90');
    expect(core.code, core.stderr).toBe(0);
    const issued = JSON.parse(core.stdout) as { certPath: string; keyPath: string; serialNumber: string };
    const cert = new X509Certificate(await readFile(issued.certPath));
    expect(cert.subject).toBe('CN=core-vegas-01');
    expect(cert.issuer).toBe('CN=Test Floor CA');
    expect(cert.serialNumber.toLowerCase()).toBe(issued.serialNumber);
    expect((await stat(issued.keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'ca.key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(issued.certPath)).mode & 0o777).toBe(0o644);
    expect(`${init.stdout}${init.stderr}${core.stdout}${core.stderr}`).not.toMatch(/PRIVATE KEY/);
  });

  it('GIVEN an unknown command WHEN the CLI runs THEN it exits 1 with the reason and the usage', async () => {
    const result = await cli(dir, 'bogus');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command "bogus"/);
    expect(result.stderr).toMatch(/usage: certs-tooling/);
  });
});
