import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commandFilter,
  commandTopic,
  offersTopic,
  parseTopic,
  smibDisplayTopic,
  smibEventsTopic,
  TopicError,
  UPLINK_STREAMS,
  uplinkTopic,
} from '../src/index.js';

const segment = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/);

describe('topics', () => {
  it('every built topic parses back to what built it', () => {
    fc.assert(
      fc.property(segment, segment, fc.constantFrom(...UPLINK_STREAMS), segment, (property, core, stream, id) => {
        expect(parseTopic(uplinkTopic(property, core, stream))).toEqual({
          ok: true,
          value: { kind: 'uplink', property, core, stream },
        });
        expect(parseTopic(offersTopic(property, core))).toEqual({
          ok: true,
          value: { kind: 'offers', property, core },
        });
        expect(parseTopic(commandTopic(property, core, id))).toEqual({
          ok: true,
          value: { kind: 'command', property, core, command: id },
        });
        expect(parseTopic(smibEventsTopic(id))).toEqual({ ok: true, value: { kind: 'smibEvents', machineId: id } });
        expect(parseTopic(smibDisplayTopic(id))).toEqual({ ok: true, value: { kind: 'smibDisplay', machineId: id } });
      }),
    );
  });

  it('matches the layout of ARCHITECTURE.md', () => {
    expect(uplinkTopic('vegas-1', 'floor-core-01', 'slot')).toBe('croupier/vegas-1/floor-core-01/slot');
    expect(commandFilter('vegas-1', 'floor-core-01')).toBe('croupier/vegas-1/floor-core-01/cmd/#');
    expect(smibDisplayTopic('SM-0042')).toBe('smib/SM-0042/display');
  });

  it.each(['a/b', '+', '#', '', 'x'.repeat(129), 'core 1'])(
    'refuses %j as a segment, so no id can escape its subtree',
    (bad) => {
      expect(() => uplinkTopic('vegas-1', bad, 'slot')).toThrow(TopicError);
      expect(() => smibEventsTopic(bad)).toThrow(TopicError);
    },
  );

  it.each([
    'croupier/p/c/video',
    'croupier/p/c',
    'smib/m/other',
    'other/p/c/slot',
    'croupier/p/c/cmd/a/b',
    'croupier/p+/c/slot',
  ])('parses %j to a typed error, never a throw', (topic) => {
    const parsed = parseTopic(topic);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toBeInstanceOf(TopicError);
  });
});
