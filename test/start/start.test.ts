import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDocumentClient, createKinesisClient } from '@croupier/cloud/aws/clients';
import { decodeEnvelope } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const startScript = join(repositoryRoot, 'scripts', 'start.ts');
const tsx = import.meta.resolve('tsx');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What the start command writes to `<state>/floor.json` (the parts this test reads). */
interface FloorFile {
  readonly cloud: { readonly kinesis: string; readonly dynamodb: string; readonly lakeDir: string };
  readonly floorApi: { readonly url: string; readonly tokenPath: string };
  readonly components: readonly { readonly name: string; readonly pid: number }[];
}

const startCommand = (args: string[]) =>
  spawn(process.execPath, ['--import', tsx, startScript, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, INIT_CWD: repositoryRoot },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
};

/** Every record of a stream (all shards) from its start, read with the real AWS SDK until `enough` says so. */
async function readStream(
  endpoint: string,
  streamName: string,
  what: string,
  enough: (records: readonly { partitionKey: string; data: Uint8Array }[]) => boolean,
): Promise<{ partitionKey: string; data: Uint8Array }[]> {
  const kinesis = createKinesisClient({ endpoint, region: 'us-east-1', credentials });
  try {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    const iterators = await Promise.all(
      Shards.map(async (shard) => {
        const { ShardIterator } = await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: streamName,
            ShardId: shard.ShardId!,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        return ShardIterator!;
      }),
    );
    const records: { partitionKey: string; data: Uint8Array }[] = [];
    return await until(what, 45_000, async () => {
      for (const [i, iterator] of iterators.entries()) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        iterators[i] = page.NextShardIterator!;
        for (const r of page.Records ?? []) records.push({ partitionKey: r.PartitionKey!, data: r.Data! });
      }
      return enough(records) ? records : undefined;
    });
  } finally {
    kinesis.destroy();
  }
}

describe('GIVEN `npm start` on a fresh state folder with a small shuffler floor and a small slot floor', () => {
  /** The slot stream's events as they reached Kinesis, JSON text, checked for card numbers after the stop. */
  let slotEventsText = '';
  let stateDir: string;
  let floor: ChildProcess;
  let output = '';
  let floorFile: FloorFile;
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'croupier-start-'));
    floor = startCommand([
      '--state-dir',
      stateDir,
      '--ephemeral-ports',
      '--shufflers',
      '2',
      '--machines',
      '2',
      '--time-scale',
      '600',
      '--core',
      'test-core-1',
    ]);
    exit = new Promise((resolve) => floor.once('exit', (code, signal) => resolve({ code, signal })));
    floor.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    floor.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until('the floor to report it is running', 75_000, async () => {
      if (floor.exitCode !== null) throw new Error(`start exited with ${floor.exitCode}:\n${output}`);
      return output.includes('Croupier local floor is running.') ? true : undefined;
    });
    floorFile = JSON.parse(await readFile(join(stateDir, 'floor.json'), 'utf8')) as FloorFile;
  }, 90_000);

  afterAll(async () => {
    if (floor && floor.exitCode === null && floor.signalCode === null) {
      floor.kill('SIGKILL');
      for (const c of floorFile?.components ?? []) if (alive(c.pid)) process.kill(c.pid, 'SIGKILL');
    }
    await rm(stateDir, { recursive: true, force: true });
  });

  it('WHEN it is up THEN it created certificates and printed the endpoints and the dashboard', async () => {
    await expect(access(join(stateDir, 'certs', 'ca.cert.pem'))).resolves.toBeUndefined();
    await expect(access(join(stateDir, 'certs', 'test-core-1.cert.pem'))).resolves.toBeUndefined();
    expect(output).toContain(floorFile.cloud.kinesis);
    expect(output).toContain(floorFile.cloud.dynamodb);
    expect(output).toContain(`${floorFile.floorApi.url}/dashboard/`);
    expect(output).toMatch(/dashboard http:\/\/127\.0\.0\.1:\d+\/dashboard\/sign-in\?code=/);
    expect(output).toContain('Slot floor (SMIBs)');
    expect(output).toContain('2 machines on the device broker');
    expect(floorFile.components.map((c) => c.name)).toEqual([
      'com.croupier.Uplink',
      'com.croupier.FailurePredictor',
      'com.croupier.SlotGateway',
      'com.croupier.ShufflerMonitor',
    ]);
  });

  it('WHEN shufflers are polled THEN their telemetry reaches Kinesis through Uplink and IoT Core rules', async () => {
    const kinesis = createKinesisClient({ endpoint: floorFile.cloud.kinesis, region: 'us-east-1', credentials });
    try {
      const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: 'shuffler-telemetry' }));
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'shuffler-telemetry',
          ShardId: Shards![0]!.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      let iterator = ShardIterator;
      const devices = new Set<string>();
      await until('telemetry of both shufflers in Kinesis', 45_000, async () => {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator!, Limit: 1000 }));
        iterator = page.NextShardIterator;
        for (const record of page.Records ?? []) {
          expect(record.PartitionKey).toBe('test-core-1');
          const decoded = decodeEnvelope(record.Data!);
          if (!decoded.ok) throw new Error(decoded.error.message);
          if (decoded.value.header.stream !== 'shuffler') continue;
          for (const event of decoded.value.events) devices.add((event as { deviceId: string }).deviceId);
        }
        return devices.size >= 2 ? devices : undefined;
      });
      expect([...devices].sort()).toEqual(['shf-001', 'shf-002']);
    } finally {
      kinesis.destroy();
    }
  });

  it('WHEN SMIBs play THEN their events reach Kinesis slot-events through the bridge, SlotGateway, Uplink and IoT Core', async () => {
    const events: { type: string; machineId: string; playerToken?: string }[] = [];
    const records = await readStream(
      floorFile.cloud.kinesis,
      'slot-events',
      'a carded session and events of both machines in slot-events',
      (rs) => {
        events.length = 0;
        for (const record of rs) {
          const decoded = decodeEnvelope(record.data);
          if (!decoded.ok) throw new Error(decoded.error.message);
          expect(decoded.value.header.stream).toBe('slot');
          events.push(...(decoded.value.events as typeof events));
        }
        return (
          events.some((e) => e.type === 'card_in') &&
          events.some((e) => e.type === 'game_played') &&
          new Set(events.map((e) => e.machineId)).size >= 2
        );
      },
    );
    for (const record of records) expect(record.partitionKey).toBe('test-core-1');
    slotEventsText = JSON.stringify(events);
    expect(new Set(events.map((e) => e.machineId))).toEqual(new Set(['SM-0001', 'SM-0002']));
    const cardIn = events.find((e) => e.type === 'card_in')!;
    expect(cardIn.playerToken).toMatch(/^[0-9a-f]{64}$/);
    expect(cardIn).not.toHaveProperty('cardNumber');
  });

  it('WHEN the slot processor runs THEN players are rated and sessions kept in DynamoDB', async () => {
    const dynamo = createDynamoDbDocumentClient({
      endpoint: floorFile.cloud.dynamodb,
      region: 'us-east-1',
      credentials,
    });
    try {
      const [players, sessions] = await until('a rated player and a session in DynamoDB', 45_000, async () => {
        const { Items: p = [] } = await dynamo.send(new ScanCommand({ TableName: 'croupier-players' }));
        const { Items: s = [] } = await dynamo.send(new ScanCommand({ TableName: 'croupier-sessions' }));
        return p.length > 0 && s.length > 0 ? [p, s] : undefined;
      });
      expect(JSON.stringify(players)).toMatch(/[0-9a-f]{64}/);
      expect(sessions.length).toBeGreaterThan(0);
    } finally {
      dynamo.destroy();
    }
  });

  it('WHEN the shuffler processor runs THEN device health of every shuffler is in DynamoDB', async () => {
    const dynamo = createDynamoDbDocumentClient({
      endpoint: floorFile.cloud.dynamodb,
      region: 'us-east-1',
      credentials,
    });
    try {
      const items = await until('both devices in croupier-devices', 45_000, async () => {
        const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: 'croupier-devices' }));
        return Items.length >= 2 ? Items : undefined;
      });
      expect(items.map((i) => i.deviceId).sort()).toEqual(['shf-001', 'shf-002']);
      for (const item of items) expect(item.lastEventTime).toBeGreaterThan(Date.now() - 10 * 60_000);
    } finally {
      dynamo.destroy();
    }
  });

  it('WHEN the floor API is asked with the operator token THEN it lists the devices; without it, 401', async () => {
    const token = (await readFile(floorFile.floorApi.tokenPath, 'utf8')).trim();
    const url = `${floorFile.floorApi.url}/v1/devices`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { deviceId: string }[] };
    expect(body.items.map((d) => d.deviceId).sort()).toEqual(['shf-001', 'shf-002']);
    expect((await fetch(url)).status).toBe(401);
    expect(output).not.toContain(token);
  });

  it('WHEN it gets SIGINT THEN it stops components and cloud, delivers the lake and exits 0 within 30 s', async () => {
    const stoppedAt = Date.now();
    floor.kill('SIGINT');
    const { code } = await exit;
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    for (const component of floorFile.components) expect(alive(component.pid)).toBe(false);
    await expect(access(join(stateDir, 'floor.pid'))).rejects.toThrow();
    const raw = await filesUnder(join(floorFile.cloud.lakeDir, 'raw', 'shuffler'));
    expect(raw.some((file) => file.endsWith('.jsonl.gz'))).toBe(true);
    expect(output.indexOf('stopping com.croupier.ShufflerMonitor')).toBeLessThan(
      output.indexOf('stopping local cloud'),
    );
    // The simulator writes its ground truth, card numbers included, on the floor when it stops.
    const truth = JSON.parse(await readFile(join(stateDir, 'simulators', 'slot-live-ground-truth.json'), 'utf8')) as {
      players: { cardNumber: string | null }[];
    };
    const cardNumbers = truth.players.flatMap((p) => (p.cardNumber ? [p.cardNumber] : []));
    expect(cardNumbers.length).toBeGreaterThan(0);
    expect(slotEventsText.length).toBeGreaterThan(0);
    for (const cardNumber of cardNumbers) expect(slotEventsText).not.toContain(cardNumber);
  }, 40_000);
  it('WHEN started again on the same state folder THEN it reuses certificates and model and resumes the flow', async () => {
    const caBefore = await readFile(join(stateDir, 'certs', 'ca.cert.pem'), 'utf8');
    const checkpoints = await readdir(join(stateDir, 'cloud', 'checkpoints'));
    expect(checkpoints).toContain('esm-ShufflerProcessor-shuffler-telemetry.json');
    output = '';
    floor = startCommand([
      '--state-dir',
      stateDir,
      '--ephemeral-ports',
      '--shufflers',
      '2',
      '--machines',
      '0',
      '--time-scale',
      '600',
      '--core',
      'test-core-1',
    ]);
    exit = new Promise((resolve) => floor.once('exit', (code, signal) => resolve({ code, signal })));
    floor.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until('the restarted floor to report it is running', 60_000, async () => {
      if (floor.exitCode !== null) throw new Error(`restart exited with ${floor.exitCode}:\n${output}`);
      return output.includes('Croupier local floor is running.') ? true : undefined;
    });
    expect(output).toContain('baseline model in');
    expect(output).not.toContain('trained');
    expect(await readFile(join(stateDir, 'certs', 'ca.cert.pem'), 'utf8')).toBe(caBefore);
    floorFile = JSON.parse(await readFile(join(stateDir, 'floor.json'), 'utf8')) as FloorFile;
    const dynamo = createDynamoDbDocumentClient({
      endpoint: floorFile.cloud.dynamodb,
      region: 'us-east-1',
      credentials,
    });
    const restartedAt = Date.now();
    try {
      await until('device health newer than the restart', 45_000, async () => {
        const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: 'croupier-devices' }));
        const fresh = Items.filter((i) => (i.lastEventTime as number) >= restartedAt - 5_000);
        return Items.length === 2 && fresh.length === 2 ? true : undefined;
      });
    } finally {
      dynamo.destroy();
    }
    floor.kill('SIGINT');
    expect((await exit).code).toBe(0);
  }, 120_000);
});

describe('GIVEN `npm start -- --help`', () => {
  it('WHEN run THEN it prints every option and starts nothing', async () => {
    const help = startCommand(['--help']);
    let text = '';
    help.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => help.once('close', resolve));
    expect(code).toBe(0);
    for (const option of [
      '--shufflers',
      '--scenario',
      '--machines',
      '--slot-scenario',
      '--seed',
      '--time-scale',
      '--state-dir',
      '--ephemeral-ports',
    ])
      expect(text).toContain(option);
  });

  it('WHEN an option is invalid THEN it names it and exits 1', async () => {
    const bad = startCommand(['--time-scale', 'fast']);
    let text = '';
    bad.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => bad.once('close', resolve));
    expect(code).toBe(1);
    expect(text).toContain('--time-scale must be a number');
  });
});
