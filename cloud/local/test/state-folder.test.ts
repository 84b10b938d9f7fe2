import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStateFolder, resetStateFolder, stateFolder } from '../state-folder.js';

describe('state folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN a populated state folder WHEN reset THEN cloud state and the lake go and certificates stay', async () => {
    const folder = stateFolder(join(dir, '.croupier'));
    await ensureStateFolder(folder);
    await mkdir(join(folder.root, 'certs'));
    await writeFile(join(folder.root, 'certs', 'ca.cert.pem'), 'cert');
    await writeFile(join(folder.onFailure, 'record.json'), '{}');
    await mkdir(join(folder.lake, 'raw'), { recursive: true });
    await resetStateFolder(folder, [tmpdir()]);
    expect((await readdir(folder.root)).sort()).toEqual(['certs']);
    expect(await readdir(join(folder.root, 'certs'))).toEqual(['ca.cert.pem']);
  });

  it('GIVEN a folder outside the allowed parents THEN reset refuses', async () => {
    await expect(resetStateFolder(stateFolder('/etc/croupier'), [tmpdir()])).rejects.toThrow(/refusing to delete/);
  });
});
