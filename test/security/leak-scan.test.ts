import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import { DynamoDBClient, ListTablesCommand, paginateScan, ScanCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '@croupier/cloud/local/local-cloud';
import { DEFAULT_BASELINE, trainBaseline } from '@croupier/failure-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reporter } from '../../scripts/start/console-reporter.js';
import { type LocalFloor, startLocalFloor } from '../../scripts/start/local-floor.js';
import { parseStartOptions } from '../../scripts/start/options.js';
import {
  encodedForms,
  expand,
  type Hit,
  listFiles,
  type Needle,
  pemBodyLines,
  readSources,
  scan,
} from './support/leak-scan.js';

/*
 * The floor end to end at small scale, then every file it left in its state folder (logs, lake,
 * spools, dead letters, Timestream store) and a dump of every DynamoDB table is searched for the
 * card numbers the slot simulator issued, for the private keys' material and for the player-token
 * key. Only the places that hold a secret by design are not searched: the key files themselves
 * (certs/, secrets/), the simulator's ground truth (the test oracle: it lists the card numbers),
 * the components' 0600 deployment configuration (SlotGateway's key, as Greengrass would hold it)
 * and the operator's API token.
 */

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Long enough for card-ins, games, card-outs and offers to travel the whole pipeline at this time scale. */
const RUN_MS = 30_000;
/** How much longer to run, at most, until a session has ended and been rated. */
const SESSION_WAIT_MS = 90_000;

const BY_DESIGN = [
  /^certs\//,
  /^secrets\//,
  /^simulators\//,
  /^components\/[^/]+\/configuration\.json$/,
  /^api\/operator\.token$/,
  /^state\.lock/,
];

describe('GIVEN the leak scanner itself', () => {
  const card = '4821000017';
  const key = 'ab'.repeat(32);
  const needles: Needle[] = [
    { label: 'card', forms: encodedForms(card), whole: true },
    { label: 'key', forms: [key] },
  ];
  const found = (bytes: Buffer) => scan(new Map([['f', expand(bytes)]]), needles).map((h) => h.needle);

  it('WHEN a secret is written plain, gzipped, in an envelope body, in hex or base64 THEN it is found', () => {
    const envelope = (body: Buffer, code: number) => {
      const header = Buffer.from('{}');
      const pre = Buffer.from([0x43, 0x52, 0x50, 0x45, 1, code, 0, header.length]);
      return Buffer.concat([Buffer.from('spool record '), pre, header, body, Buffer.from('next record')]);
    };
    const text = Buffer.from(`{"cardNumber":"${card}","k":"${key.toUpperCase()}"}`);
    expect(found(text)).toEqual(['card', 'key']);
    expect(found(gzipSync(text))).toEqual(['card', 'key']);
    expect(found(envelope(deflateRawSync(text), 1))).toEqual(['card', 'key']);
    expect(found(envelope(brotliCompressSync(text), 2))).toEqual(['card', 'key']);
    expect(found(Buffer.from(`x=${Buffer.from(card).toString('hex')};`))).toEqual(['card']);
    expect(found(Buffer.from(`"${Buffer.from(card).toString('base64')}"`))).toEqual(['card']);
  });

  it('WHEN the digits only sit inside a longer number THEN it is no hit', () => {
    expect(found(Buffer.from(`{"eventTime":17${card}3}`))).toEqual([]);
  });
});

describe('GIVEN the local floor after an end-to-end run', () => {
  let stateDir: string;
  let floor: LocalFloor | undefined;
  const tableDump = new Map<string, string[]>();
  const warnings: string[] = [];

  beforeAll(async () => {
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    stateDir = await mkdtemp(join(tmpdir(), 'croupier-leak-scan-'));
    // The floor trains its full baseline model on first start (about a minute); a small one, trained
    // where the start command looks for it, serves this run as well and keeps the suite's time down.
    await trainBaseline({
      ...DEFAULT_BASELINE,
      // The fewest shufflers and days whose hold-out still has failures, so the model card is complete.
      devices: 12,
      days: 20,
      outDir: join(stateDir, 'components', 'com.croupier.FailureModel', 'artifacts'),
    });
    const options = parseStartOptions(
      ['--state-dir', stateDir, '--shufflers', '2', '--machines', '6', '--time-scale', '240', '--ephemeral-ports'],
      {},
      { repositoryRoot, stateDir },
    );
    const reporter: Reporter = {
      step: () => {},
      note: () => {},
      block: () => {},
      warn: (message) => warnings.push(message),
    };
    floor = await startLocalFloor(options, repositoryRoot, reporter);
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    const dynamo = new DynamoDBClient({
      endpoint: floor.summary.cloud.dynamodb,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    // The positive controls need a session that ended (the ground truth holds only those): the floor
    // may start slowly on a loaded machine, and at 4 AM the casino's arrivals are a tenth of the evening's.
    const deadline = Date.now() + SESSION_WAIT_MS;
    for (;;) {
      const { Count = 0 } = await dynamo.send(
        new ScanCommand({
          TableName: 'croupier-sessions',
          FilterExpression: '#state IN (:closed, :abandoned)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':closed': { S: 'closed' }, ':abandoned': { S: 'abandoned' } },
        }),
      );
      if (Count > 0) break;
      if (Date.now() > deadline) throw new Error(`no session ended within ${(RUN_MS + SESSION_WAIT_MS) / 1_000} s`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const { TableNames = [] } = await dynamo.send(new ListTablesCommand({}));
    for (const table of TableNames) {
      const pages: string[] = [];
      for await (const page of paginateScan({ client: dynamo }, { TableName: table })) {
        pages.push(JSON.stringify(page.Items ?? []));
      }
      tableDump.set(`dynamodb:${table}`, pages);
    }
    dynamo.destroy();
    await floor.stop();
    floor = undefined;
  }, 300_000);

  afterAll(async () => {
    await floor?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('WHEN every log, lake object, spool, dead letter and table is scanned THEN no card number, private key or player-token key is in any of them', async () => {
    const truth = JSON.parse(await readFile(join(stateDir, 'simulators', 'slot-live-ground-truth.json'), 'utf8')) as {
      players: { cardNumber: string | null; playerToken: string | null }[];
      sessions: unknown[];
    };
    const cards = truth.players.flatMap((p) => (p.cardNumber ? [p.cardNumber] : []));
    const keyFiles = (
      await listFiles(stateDir, (path) => !/\.key(\.pem)?$/.test(path) || path.startsWith('secrets/'))
    ).filter((path) => path.endsWith('.key.pem'));
    const playerTokenKey = (await readFile(join(stateDir, 'secrets', 'player-token.key'), 'utf8')).trim();
    const needles: Needle[] = [
      ...cards.map((card, i) => ({ label: `card #${i}`, forms: encodedForms(card), whole: true })),
      { label: 'PEM private key', forms: ['PRIVATE KEY-----'] },
      ...(await Promise.all(
        keyFiles.map(async (path) => ({
          label: `private key ${path.slice(stateDir.length + 1)}`,
          forms: pemBodyLines(await readFile(path, 'utf8')),
        })),
      )),
      {
        label: 'player-token key',
        forms: [playerTokenKey, Buffer.from(playerTokenKey, 'hex').toString('base64').replace(/=+$/, '')],
      },
    ];

    const files = await listFiles(stateDir, (path) => BY_DESIGN.some((re) => re.test(path)));
    const sources = await readSources(stateDir, files);
    for (const [name, pages] of tableDump) sources.set(name, pages);
    const hits: Hit[] = scan(sources, needles);
    // Positive control: the tokens that stand for those cards did reach the lake and the tables.
    const tokens = truth.players.flatMap((p) => (p.playerToken ? [p.playerToken] : []));
    const tokenHits = scan(sources, [{ label: 'player token', forms: tokens }]);

    // The run really exercised the path a card number takes, and the scan really covered it.
    expect(cards.length).toBeGreaterThan(100);
    expect(truth.sessions.length).toBeGreaterThan(0);
    expect(keyFiles.length).toBeGreaterThan(4);
    expect(files.some((f) => f.includes(`${join('logs', 'com.croupier.SlotGateway')}`))).toBe(true);
    expect(files.some((f) => f.includes(`${join(stateDir, 'lake')}`))).toBe(true);
    expect(files.some((f) => f.includes('com.croupier.Uplink'))).toBe(true);
    expect([...tableDump.keys()].length).toBeGreaterThan(3);
    expect(tokenHits.some((h) => h.file.startsWith('lake'))).toBe(true);
    expect(tokenHits.some((h) => h.file.startsWith('dynamodb:'))).toBe(true);
    expect(hits, `floor warnings during the run:\n${warnings.join('\n')}`).toEqual([]);
  });
});
