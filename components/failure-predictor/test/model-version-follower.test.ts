import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MODEL_CARD_FILE, MODEL_FILE } from '../src/model-contract.js';
import { ModelVersionFollower } from '../src/model-version-follower.js';
import { until } from './support/until.js';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The follower on a real folder: what it hands to `tryVersion` (the component's load-and-switch, here
 * a recorder whose verdict the test chooses) as version folders appear, fill and change.
 */
describe('ModelVersionFollower on a real FailureModel artifacts root', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function follow(options: { running?: string; rescanMs?: number; verdict?: (version: string) => boolean }) {
    const root = await mkdtemp(join(tmpdir(), 'model-versions-'));
    const tried: string[] = [];
    const errors: unknown[] = [];
    const follower = ModelVersionFollower.start({
      root,
      running: options.running,
      debounceMs: 50,
      rescanMs: options.rescanMs ?? 60_000,
      tryVersion: async (version, dir) => {
        tried.push(`${version}@${dir}`);
        return options.verdict?.(version) ?? true;
      },
      onError: (error) => errors.push(error),
    });
    cleanups.push(async () => {
      await follower.close();
      await rm(root, { recursive: true, force: true });
    });
    const version = async (name: string, files: readonly string[] = [MODEL_FILE, MODEL_CARD_FILE]) => {
      await mkdir(join(root, name), { recursive: true });
      for (const file of files) await writeFile(join(root, name, file), `${name}/${file}`);
    };
    /** Places complete version folders together (renamed in from staging), as one deployment would. */
    const versions = async (...names: string[]) => {
      const staging = await mkdtemp(join(tmpdir(), 'model-versions-staging-'));
      for (const name of names) {
        await mkdir(join(staging, name));
        for (const file of [MODEL_FILE, MODEL_CARD_FILE]) await writeFile(join(staging, name, file), `${name}/${file}`);
      }
      for (const name of names) await rename(join(staging, name), join(root, name));
      await rm(staging, { recursive: true });
    };
    return { root, tried, errors, follower, version, versions };
  }

  it('GIVEN a new version folder whose files arrive one by one THEN it is tried once, after both are there', async () => {
    const { root, tried, follower, version, errors } = await follow({ running: '1.0.0' });
    await version('1.0.0');
    await version('1.1.0', [MODEL_FILE]);
    await settle(300);
    expect(tried).toEqual([]);

    await writeFile(join(root, '1.1.0', MODEL_CARD_FILE), '{}');

    await until('the new version to be tried', () => tried.length > 0);
    expect(tried).toEqual([`1.1.0@${join(root, '1.1.0')}`]);
    expect(follower.runningVersion).toBe('1.1.0');
    await settle(300);
    expect(tried).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('GIVEN several new versions THEN the highest is tried, and an older one appearing later is ignored', async () => {
    const { tried, follower, version, versions } = await follow({ running: '1.0.0' });
    await versions('1.2.0', '1.10.0');
    await until('a version to be tried', () => tried.length > 0);
    expect(tried.map((t) => t.split('@')[0])).toEqual(['1.10.0']);

    await version('1.3.0');
    await settle(300);
    expect(follower.runningVersion).toBe('1.10.0');
    expect(tried).toHaveLength(1);
  });

  it('GIVEN the newest version is refused THEN the next newest is tried, and the refused one again only when its files change', async () => {
    const { root, tried, follower, versions } = await follow({
      running: '1.0.0',
      verdict: (v) => v !== '1.2.0' || tried.length > 2,
    });
    await versions('1.1.0', '1.2.0');
    await until('two versions to be tried', () => tried.length >= 2);
    expect(tried.map((t) => t.split('@')[0])).toEqual(['1.2.0', '1.1.0']);
    expect(follower.runningVersion).toBe('1.1.0');
    expect(follower.refusedCount).toBe(1);

    await writeFile(join(root, '1.2.0', MODEL_FILE), 'a repaired download');

    await until('the changed version to be tried again', () => tried.length >= 3);
    expect(tried[2]?.split('@')[0]).toBe('1.2.0');
    expect(follower.runningVersion).toBe('1.2.0');
    expect(follower.refusedCount).toBe(0);
  });

  it('GIVEN a root that does not exist yet THEN the periodic rescan finds versions placed later', async () => {
    const { root, tried } = await follow({ rescanMs: 1_000 });
    await rm(root, { recursive: true });
    const staging = `${root}.staging`;
    await mkdir(join(staging, '2.0.0'), { recursive: true });
    await writeFile(join(staging, '2.0.0', MODEL_FILE), 'model');
    await writeFile(join(staging, '2.0.0', MODEL_CARD_FILE), 'card');

    await rename(staging, root);

    await until('the version to be found by a rescan', () => tried.length > 0, 8_000);
    expect(tried).toEqual([`2.0.0@${join(root, '2.0.0')}`]);
  });
});
