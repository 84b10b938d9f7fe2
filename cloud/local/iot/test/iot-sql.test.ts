import { matchesTopicFilter } from '@croupier/contracts';
import { describe, expect, it } from 'vitest';
import { topicRules } from '../../../definitions/topic-rules.js';
import { IotSqlError, parseIotSql, parseTemplate } from '../iot-sql.js';
import { MessageEvaluation, type RuleMessage } from '../sql-evaluator.js';

const message = (topic: string, payload: Buffer | string): RuleMessage => ({
  topic,
  payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  clientId: 'core-a',
  receivedAt: 1_763_766_000_000,
});

describe('IoT SQL subset', () => {
  it('GIVEN every deployed rule WHEN parsed THEN each selects * from its uplink filter with a topic(3) key', () => {
    for (const rule of topicRules) {
      const statement = parseIotSql(rule.sql);
      expect(statement.select).toBe('all');
      expect(statement.from).toMatch(/^croupier\/\+\/\+\/(slot|shuffler|alert|health)$/);
      expect(statement.where).toBeUndefined();
      const evaluation = new MessageEvaluation(message('croupier/vegas/core-a/slot', 'x'), () => 'u-1');
      expect(evaluation.render(parseTemplate(rule.action.partitionKey))).toBe('core-a');
      expect(evaluation.render(parseTemplate(rule.errorAction.key))).toBe(
        `errors/iot-rules/${rule.name}/1763766000000-u-1`,
      );
    }
  });

  it('GIVEN SELECT * on a binary payload THEN the output is the same bytes', () => {
    const bytes = Buffer.from([0x1f, 0x8b, 0x00, 0xff]);
    const evaluation = new MessageEvaluation(message('a/b', bytes));
    expect(evaluation.select(parseIotSql("SELECT * FROM 'a/+'")).equals(bytes)).toBe(true);
  });

  it('GIVEN named fields, aliases and functions THEN a JSON object without Undefined members is produced', () => {
    const statement = parseIotSql(
      "SELECT machine.id AS machineId, wager, topic(3) AS core, timestamp() AS at, missing FROM 'croupier/+/+/slot'",
    );
    const evaluation = new MessageEvaluation(
      message('croupier/vegas/core-a/slot', '{"machine":{"id":"m-1"},"wager":5}'),
    );
    expect(JSON.parse(evaluation.select(statement).toString())).toEqual({
      machineId: 'm-1',
      wager: 5,
      core: 'core-a',
      at: 1_763_766_000_000,
    });
  });

  it('GIVEN WHERE conditions THEN only true passes, and Undefined (binary payload) never passes', () => {
    const where = (sql: string, payload: string | Buffer, topic = 'croupier/vegas/core-a/slot') =>
      new MessageEvaluation(message(topic, payload)).matches(parseIotSql(`SELECT * FROM 'croupier/#' WHERE ${sql}`));
    expect(where("topic(2) = 'vegas' AND NOT (wager < 1)", '{"wager":5}')).toBe(true);
    expect(where("topic(2) = 'reno' OR wager >= 10", '{"wager":5}')).toBe(false);
    expect(where('wager <> 5', '{"wager":5}')).toBe(false);
    expect(where("type = 'cardIn'", '{"type":"cardIn"}')).toBe(true);
    expect(where('wager > 1', Buffer.from([0xff, 0x00]))).toBe(false);
    expect(where('NOT (wager > 1)', Buffer.from([0xff, 0x00]))).toBe(false);
    expect(where("clientid() = 'core-a'", 'x')).toBe(true);
  });

  it('GIVEN SQL outside the subset THEN parsing fails with a reason', () => {
    expect(() => parseIotSql("SELECT * FROM 'a' WHERE encode(*, 'base64') = 'x'")).toThrow(IotSqlError);
    expect(() => parseIotSql("SELECT * FROM 'a' LIMIT 1")).toThrow(/trailing/);
    expect(() => parseIotSql('SELECT * FROM a')).toThrow(/quoted string/);
    expect(() => parseIotSql("SELECT topic(1) FROM 'a'")).toThrow(/needs AS/);
    expect(() => parseTemplate('${topic(3)')).toThrow(/unterminated/);
  });
});

describe('topic filters', () => {
  it('GIVEN MQTT wildcards THEN + is one level, # the rest, and $ topics are not matched by wildcards', () => {
    expect(matchesTopicFilter('croupier/+/+/slot', 'croupier/vegas/core-a/slot')).toBe(true);
    expect(matchesTopicFilter('croupier/+/+/slot', 'croupier/vegas/x/core-a/slot')).toBe(false);
    expect(matchesTopicFilter('croupier/#', 'croupier')).toBe(true);
    expect(matchesTopicFilter('croupier/#', 'croupier/a/b')).toBe(true);
    expect(matchesTopicFilter('#', '$aws/things/x')).toBe(false);
    expect(matchesTopicFilter('+/things/x', '$aws/things/x')).toBe(false);
    expect(matchesTopicFilter('a/b', 'a/b/c')).toBe(false);
  });
});
