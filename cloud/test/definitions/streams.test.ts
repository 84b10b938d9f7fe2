import { describe, expect, it } from 'vitest';
import { streams } from '../../definitions/streams.js';
import { topicRules } from '../../definitions/topic-rules.js';

/** The Uplink stream a rule takes: the last level of its topic filter. */
const envelopeStreamOf = (sql: string) => /FROM 'croupier\/\+\/\+\/(\w+)'/.exec(sql)?.[1];

describe('Kinesis stream definitions', () => {
  it('GIVEN the IoT topic rules WHEN each puts an Uplink stream into Kinesis THEN that Kinesis stream declares it carries it', () => {
    const routed = topicRules.map((rule) => {
      const envelopeStream = envelopeStreamOf(rule.sql);
      const target = streams.find((s) => s.name === rule.action.streamName);
      return { rule: rule.name, envelopeStream, carried: target?.carries.includes(envelopeStream as never) };
    });
    expect(routed.filter((r) => r.envelopeStream === undefined || !r.carried)).toEqual([]);
    // And nothing is declared that no rule puts there.
    const declared = streams.flatMap((s) => s.carries.map((c) => `${s.name}:${c}`)).sort();
    const put = topicRules.map((rule) => `${rule.action.streamName}:${envelopeStreamOf(rule.sql)}`).sort();
    expect(put).toEqual(declared);
  });
});
