import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicRuleDefinition } from '../../../definitions/topic-rules.js';
import type { RuleErrorMessage } from '../rule-error-action.js';
import { type RuleOutcome, RulesEngine } from '../rules-engine.js';
import { createStream, readAllRecords, startKinesalite } from './fixtures.js';

const rule = (name: string, sql: string, partitionKey: string): TopicRuleDefinition => ({
  name,
  description: name,
  sql,
  action: { kind: 'kinesis', streamName: 'rules-test', partitionKey },
  errorAction: { kind: 's3', key: `errors/iot-rules/${name}/\${newuuid()}` },
});

describe('rules engine against kinesalite', () => {
  let kinesalite: Awaited<ReturnType<typeof startKinesalite>>;
  let lakeDir: string;

  beforeAll(async () => {
    kinesalite = await startKinesalite();
    await createStream(kinesalite.client, 'rules-test', 1);
    lakeDir = await mkdtemp(join(tmpdir(), 'croupier-rules-'));
  });
  afterAll(async () => {
    await kinesalite?.close();
    await rm(lakeDir, { recursive: true, force: true });
  });

  it('GIVEN a burst with one unroutable message WHEN processed THEN the others land in order and only that one goes to the error action', async () => {
    const outcomes: RuleOutcome[] = [];
    let uuid = 0;
    const engine = new RulesEngine({
      rules: [
        rule('by_core', "SELECT * FROM 'croupier/#'", `\${topic(3)}`),
        rule('big_wagers', "SELECT wager, topic(3) AS core FROM 'croupier/+/+/slot' WHERE wager >= 100", 'wagers'),
      ],
      kinesis: kinesalite.client,
      lakeDir,
      onOutcome: (outcome) => outcomes.push(outcome),
      newUuid: () => `uuid-${++uuid}`,
    });
    const at = (topic: string, payload: string) =>
      engine.accept({ topic, payload: Buffer.from(payload), clientId: 'core-a', receivedAt: 1_763_766_000_000 });
    at('croupier/vegas/core-a/slot', '{"wager":5}');
    at('croupier/vegas', 'no third level');
    at('croupier/vegas/core-b/slot', '{"wager":250}');
    at('croupier/vegas/core-a/slot', '{"wager":7}');
    await engine.drain();

    const records = (await readAllRecords(kinesalite.client, 'rules-test')).map((r) => [
      r.partitionKey,
      r.data.toString(),
    ]);
    // Each rule keeps arrival order; the two rules run side by side, so only their own order is fixed.
    expect(records.filter(([key]) => key !== 'wagers')).toEqual([
      ['core-a', '{"wager":5}'],
      ['core-b', '{"wager":250}'],
      ['core-a', '{"wager":7}'],
    ]);
    expect(records.filter(([key]) => key === 'wagers')).toEqual([['wagers', '{"wager":250,"core":"core-b"}']]);
    expect(outcomes.filter((o) => o.kind === 'delivered')).toHaveLength(4);
    const failed = outcomes.filter((o) => o.kind === 'failed');
    expect(failed).toEqual([
      {
        kind: 'failed',
        rule: 'by_core',
        topic: 'croupier/vegas',
        errorKey: 'errors/iot-rules/by_core/uuid-2',
        reason: expect.stringMatching(/partition key rendered empty/),
      },
    ]);
    const files = await readdir(join(lakeDir, 'errors', 'iot-rules', 'by_core'));
    expect(files).toEqual(['uuid-2']);
    const message = JSON.parse(
      await readFile(join(lakeDir, 'errors/iot-rules/by_core/uuid-2'), 'utf8'),
    ) as RuleErrorMessage;
    expect(Buffer.from(message.base64OriginalPayload, 'base64').toString()).toBe('no third level');
  });

  it('GIVEN an error key that would escape the lake WHEN the action fails THEN nothing is written outside and the failure is reported', async () => {
    const outcomes: RuleOutcome[] = [];
    const engine = new RulesEngine({
      rules: [
        {
          ...rule('escape', "SELECT * FROM 'x/#'", `\${topic(5)}`),
          errorAction: { kind: 's3', key: `../../\${topic(2)}` },
        },
      ],
      kinesis: kinesalite.client,
      lakeDir,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    engine.accept({ topic: 'x/escaped', payload: Buffer.from('p'), clientId: 'c', receivedAt: 0 });
    await engine.drain();
    expect(outcomes).toEqual([
      expect.objectContaining({
        kind: 'errorActionFailed',
        rule: 'escape',
        reason: expect.stringMatching(/escapes the lake/),
      }),
    ]);
  });
});
