import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePlayerTokenKey, loadPlayerTokenKey, parseSlotScenario } from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSlotFloorScenario, prepareSlotFloor } from '../../scripts/start/slot-floor.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const scenariosDir = join(repositoryRoot, 'simulators', 'scenarios');

describe('GIVEN the local floor’s player-token key', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-player-key-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('WHEN a floor starts for the first time THEN 256 random bits are written as hex, file 0600 in a 0700 folder', async () => {
    const path = join(dir, 'first', 'secrets', 'player-token.key');
    const key = await ensurePlayerTokenKey(path);
    expect(key.byteLength).toBe(32);
    expect((await readFile(path, 'utf8')).trim()).toBe(Buffer.from(key).toString('hex'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'first', 'secrets'))).mode & 0o777).toBe(0o700);
  });

  it('WHEN it starts again THEN the same key is used; WHEN another floor starts THEN it gets a key of its own', async () => {
    const path = join(dir, 'again', 'player-token.key');
    const first = await ensurePlayerTokenKey(path);
    expect(await ensurePlayerTokenKey(path)).toEqual(first);
    expect(await ensurePlayerTokenKey(join(dir, 'other', 'player-token.key'))).not.toEqual(first);
  });

  it('WHEN two starts race on a fresh state folder THEN both get the one key that ends up on disk', async () => {
    const path = join(dir, 'race', 'player-token.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => ensurePlayerTokenKey(path)));
    const onDisk = Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
    for (const key of keys) expect(Buffer.from(key)).toEqual(onDisk);
  });

  it('WHEN the key file is readable by other users THEN the floor refuses it instead of using it', async () => {
    const path = join(dir, 'open', 'player-token.key');
    await ensurePlayerTokenKey(path);
    await chmod(path, 0o644);
    await expect(ensurePlayerTokenKey(path)).rejects.toThrow(/readable by other users/);
  });

  it('WHEN the key file holds less than 32 bytes of hex THEN the floor refuses it', async () => {
    const path = join(dir, 'short', 'player-token.key');
    await ensurePlayerTokenKey(join(dir, 'short', 'placeholder.key'));
    await writeFile(path, `${'ab'.repeat(16)}\n`, { mode: 0o600 });
    await expect(ensurePlayerTokenKey(path)).rejects.toThrow(/at least 32 bytes/);
  });

  it('WHEN the demo scenario is read THEN it carries no key, the SMIB simulator takes the state folder’s key, and a scenario inlining a key is refused', async () => {
    const demoPath = join(scenariosDir, 'slot-demo-live.json');
    const demo = JSON.parse(await readFile(demoPath, 'utf8')) as Record<string, unknown>;
    expect(demo).not.toHaveProperty('playerTokenKeyHex');

    const keyPath = join(dir, 'scenario', 'secrets', 'player-token.key');
    const key = await ensurePlayerTokenKey(keyPath);
    const overrides = {
      broker: { host: '127.0.0.1', port: 18883, caPath: join(dir, 'ca.cert.pem') },
      certDir: join(dir, 'smib'),
      caDir: dir,
      outDir: join(dir, 'simulators'),
      playerTokenKeyPath: keyPath,
      machines: 2,
    };
    const scenario = await loadSlotFloorScenario(demoPath, overrides);
    expect(scenario.playerTokenKeyPath).toBe(keyPath);
    expect(Buffer.from((await prepareSlotFloor(scenario)).playerTokenKey)).toEqual(Buffer.from(key));

    const inlined = join(dir, 'inlined.json');
    await writeFile(inlined, JSON.stringify({ ...demo, playerTokenKeyHex: 'ee'.repeat(32) }));
    await expect(loadSlotFloorScenario(inlined, overrides)).rejects.toThrow(
      'playerTokenKeyHex: a scenario must not carry a literal player-token key',
    );
  });

  it('WHEN the simulator CLIs load a scenario on a fresh clone THEN they create the key file exactly as the floor does', async () => {
    const path = join(dir, 'fresh', 'secrets', 'player-token.key');
    const scenario = parseSlotScenario(
      {
        ...(JSON.parse(await readFile(join(scenariosDir, 'slot-small-floor.json'), 'utf8')) as object),
        playerTokenKeyPath: path,
      },
      dir,
    );
    const key = await loadPlayerTokenKey(scenario);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'fresh', 'secrets'))).mode & 0o777).toBe(0o700);
    expect(Buffer.from(await ensurePlayerTokenKey(path))).toEqual(Buffer.from(key));
  });
});
