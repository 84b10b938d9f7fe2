import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSlotScenario } from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSlotFloorScenario, prepareSlotFloor } from '../../scripts/start/slot-floor.js';
import { repositoryRoot } from './support/floor-process.js';

const scenariosDir = join(repositoryRoot, 'simulators', 'scenarios');
/** The key file `npm start` generates in the default state folder (see `ensurePlayerTokenKey`). */
const FLOOR_KEY_FILE = join(repositoryRoot, '.croupier', 'secrets', 'player-token.key');
/** What a literal HMAC key looks like in a file: 32 bytes or more of hex. */
const LITERAL_KEY = /[0-9a-f]{64,}/i;

describe('GIVEN the scenario files in git', () => {
  it('WHEN read THEN none carries a literal key, and every slot scenario names the floor’s generated key file', async () => {
    const files = (await readdir(scenariosDir)).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const text = await readFile(join(scenariosDir, file), 'utf8');
      expect(text, file).not.toMatch(LITERAL_KEY);
      expect(text, file).not.toContain('playerTokenKeyHex');
      if (!file.startsWith('slot-')) continue;
      const scenario = await loadSlotScenario(join(scenariosDir, file));
      expect(scenario.playerTokenKeyPath, file).toBe(FLOOR_KEY_FILE);
    }
  });
});

describe('GIVEN a player-token key generated for this run', () => {
  let dir: string;
  let key: Buffer;
  let keyPath: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-scenario-keys-'));
    key = randomBytes(32);
    keyPath = join(dir, 'player-token.key');
    await writeFile(keyPath, `${key.toString('hex')}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(['slot-e2e-live.json', 'slot-bench-latency.json'])(
    'WHEN the floor loads %s with it THEN the SMIBs and SlotGateway tokenise with that key',
    async (file) => {
      const scenario = await loadSlotFloorScenario(join(scenariosDir, file), {
        broker: { host: '127.0.0.1', port: 8883, caPath: join(dir, 'ca.cert.pem') },
        certDir: join(dir, 'smib'),
        caDir: dir,
        outDir: join(dir, 'simulators'),
        playerTokenKeyPath: keyPath,
      });
      expect(scenario.playerTokenKeyPath).toBe(keyPath);
      const prepared = await prepareSlotFloor(scenario);
      expect(Buffer.from(prepared.playerTokenKey)).toEqual(key);
      expect(prepared.machines.length).toBeGreaterThan(0);
    },
  );
});
