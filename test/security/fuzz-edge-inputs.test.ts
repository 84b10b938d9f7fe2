import { readFileSync } from 'node:fs';
import { topicRules } from '@croupier/cloud/definitions/topic-rules';
import { IotSqlError, parseIotSql, parseTemplate } from '@croupier/cloud/local/iot/iot-sql';
import { MessageEvaluation } from '@croupier/cloud/local/iot/sql-evaluator';
import { ContractError, isTopicSegment, matchesTopicFilter } from '@croupier/contracts';
import { ConfigurationError, parseConfiguration, redact } from '@croupier/edge-kit';
import {
  DecodeError,
  decodePoint,
  MonitorConfig,
  planReads,
  pointWidth,
  type RawBlock,
  RegisterMap,
  toTelemetry,
} from '@croupier/shuffler-monitor';
import { SlotGatewayConfiguration } from '@croupier/slot-gateway';
import { UplinkConfiguration } from '@croupier/uplink';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { anyJson, runs } from './support/fuzz.js';

/*
 * Edge inputs that are not contract events: Modbus registers a shuffler answers with, component
 * configuration a deployment merges over a recipe, and what the IoT rules engine reads from every
 * uplink message (topic and payload) plus the SQL and templates it is configured with.
 */

const recipeDefaults = (component: string) =>
  (
    parse(readFileSync(new URL(`../../components/${component}/recipe.yaml`, import.meta.url), 'utf8')) as {
      ComponentConfiguration: { DefaultConfiguration: Record<string, unknown> };
    }
  ).ComponentConfiguration.DefaultConfiguration;

const monitorDefaults = recipeDefaults('shuffler-monitor') as { registerMaps: Record<string, unknown> };
const registerMap = RegisterMap.parse(monitorDefaults.registerMaps['croupier-shuffler-v1']);
const plan = planReads(registerMap.points, { maxRegisterGap: 8, maxBitGap: 64 });

/** What a device may answer to each planned read: any words, any bits. */
const answers = fc.tuple(
  ...plan.map(
    (read): fc.Arbitrary<RawBlock> =>
      read.table === 'coil' || read.table === 'discrete'
        ? fc
            .array(fc.boolean(), { minLength: read.count, maxLength: read.count })
            .map((data) => ({ kind: 'bits', data }))
        : fc
            .array(fc.integer({ min: 0, max: 0xffff }), { minLength: read.count, maxLength: read.count })
            .map((data) => ({ kind: 'registers', data })),
  ),
);

describe('GIVEN the croupier-shuffler-v1 register map from the ShufflerMonitor recipe', () => {
  it('WHEN a device answers every read with arbitrary registers THEN each point decodes or fails with DecodeError, unaffected by its neighbours, and telemetry is a typed result', () => {
    fc.assert(
      fc.property(answers, fc.integer({ min: 0, max: 4_102_444_800_000 }), (blocks, eventTime) => {
        const values = new Map<string, ReturnType<typeof decodePoint>>();
        plan.forEach((read, i) => {
          const block = blocks[i]!;
          for (const point of read.points) {
            let value: ReturnType<typeof decodePoint> | undefined;
            try {
              value = decodePoint(point, block, read.address);
            } catch (error) {
              expect(error).toBeInstanceOf(DecodeError);
            }
            // Decoded alone from just its own registers, a point reads the same: a neighbour's bad
            // value never changes or hides a good one.
            const offset = point.address - read.address;
            const own: RawBlock =
              block.kind === 'bits'
                ? { kind: 'bits', data: block.data.slice(offset, offset + 1) }
                : { kind: 'registers', data: block.data.slice(offset, offset + pointWidth(point)) };
            let alone: ReturnType<typeof decodePoint> | undefined;
            try {
              alone = decodePoint(point, own, point.address);
            } catch {
              alone = undefined;
            }
            expect(alone).toEqual(value);
            if (value !== undefined) values.set(point.name, value);
          }
        });
        const telemetry = toTelemetry({ deviceId: 'SH-01' }, values, {
          eventId: '01936f7e-1c2a-7b3d-8e4f-5a6b7c8d9e01',
          eventTime,
        });
        if (!telemetry.ok) expect(telemetry.error).toBeInstanceOf(ContractError);
      }),
      { numRuns: runs(400) },
    );
  });

  it('WHEN a device answers short or with nothing THEN every point fails with DecodeError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: plan.length - 1 }),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 3 }),
        (i, data) => {
          const read = plan[i]!;
          for (const point of read.points) {
            try {
              decodePoint(point, { kind: 'registers', data }, read.address);
            } catch (error) {
              expect(error).toBeInstanceOf(DecodeError);
            }
          }
        },
      ),
      { numRuns: runs(500) },
    );
  });
});

/** A recipe default changed at one to three top-level or nested keys, as a bad deployment would. */
const mergedOver = (defaults: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  fc
    .array(fc.tuple(fc.constantFrom(...Object.keys({ ...defaults, ...extra }), 'unknownKey'), anyJson), {
      minLength: 1,
      maxLength: 3,
    })
    .map((edits) => {
      const config: Record<string, unknown> = { ...structuredClone(defaults), ...extra };
      for (const [key, value] of edits) config[key] = value;
      return config;
    });

describe('GIVEN each component configuration as a deployment merges it over the recipe', () => {
  const key = 'c0ffee'.repeat(11);
  const components = [
    { name: 'ShufflerMonitor', schema: MonitorConfig, defaults: recipeDefaults('shuffler-monitor'), extra: {} },
    {
      name: 'SlotGateway',
      schema: SlotGatewayConfiguration,
      defaults: recipeDefaults('slot-gateway'),
      extra: { playerTokenKeyHex: key, machines: [] },
    },
    { name: 'Uplink', schema: UplinkConfiguration, defaults: recipeDefaults('uplink'), extra: { property: 'vegas' } },
  ] as const;

  it.each(components.map((c) => [c.name, c] as const))(
    'WHEN %s gets arbitrary values THEN it parses or fails with a ConfigurationError that never repeats the key',
    (_, c) => {
      fc.assert(
        fc.property(mergedOver(c.defaults, c.extra), (raw) => {
          const parsed = parseConfiguration(c.schema, raw);
          if (parsed.ok) return;
          expect(parsed.error).toBeInstanceOf(ConfigurationError);
          expect(parsed.error.message).not.toContain(key);
          expect(JSON.stringify(redact({ configuration: raw }))).not.toContain(key);
        }),
        { numRuns: runs(300) },
      );
    },
  );
});

describe('GIVEN the IoT rules the CDK app deploys, evaluated on every uplink message', () => {
  const statements = topicRules.map((rule) => ({
    rule,
    statement: parseIotSql(rule.sql),
    partitionKey: parseTemplate(rule.action.partitionKey),
    errorKey: parseTemplate(rule.errorAction.key),
  }));
  const level = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/), fc.string({ maxLength: 20 }));
  const topic = fc.oneof(
    fc
      .tuple(level, level, fc.constantFrom('slot', 'shuffler', 'alert', 'health'))
      .map((p) => `croupier/${p.join('/')}`),
    fc.array(level, { minLength: 1, maxLength: 8 }).map((p) => p.join('/')),
  );
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 4_000 }).map((b) => Buffer.from(b)),
    anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  );

  it('WHEN any topic and payload arrive THEN matching, selection and key rendering never throw, the payload passes byte for byte, and the partition key is the topic’s core level', () => {
    fc.assert(
      fc.property(topic, payload, fc.string({ maxLength: 30 }), (t, p, clientId) => {
        for (const { statement, partitionKey, errorKey } of statements) {
          const evaluation = new MessageEvaluation({ topic: t, payload: p, clientId, receivedAt: 1_763_766_000_000 });
          if (!matchesTopicFilter(statement.from, t) || !evaluation.matches(statement)) continue;
          expect(Buffer.from(evaluation.select(statement) as Uint8Array).equals(p)).toBe(true);
          const key = evaluation.render(partitionKey);
          expect(key).toBe(t.split('/')[2]);
          expect(evaluation.render(errorKey)).toMatch(/^errors\/iot-rules\/[a-z_]+\/\d+-[0-9a-f-]{36}$/);
        }
      }),
      { numRuns: runs(1_000) },
    );
  });

  it('WHEN WHERE clauses read fields of arbitrary payloads THEN evaluation never throws', () => {
    const where = parseIotSql("SELECT * FROM 'croupier/+/+/+' WHERE a.b = 1 AND NOT (c <> 'x' OR d >= 2) OR e < f");
    fc.assert(
      fc.property(payload, (p) => {
        const evaluation = new MessageEvaluation({
          topic: 'croupier/p/c/slot',
          payload: p,
          clientId: 'c',
          receivedAt: 0,
        });
        expect(typeof evaluation.matches(where)).toBe('boolean');
      }),
      { numRuns: runs(1_000) },
    );
  });

  it('WHEN arbitrary text is given as rule SQL or a substitution template THEN it parses or fails with IotSqlError', () => {
    const fragments = fc.constantFrom(
      'SELECT',
      '*',
      'FROM',
      "'a/+/#'",
      'WHERE',
      'AND',
      'topic(',
      ')',
      '${',
      '}',
      ',',
      '=',
      "'",
      'x',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.array(fragments, { maxLength: 12 }).map((f) => f.join(' ')),
        ),
        (text) => {
          for (const parseText of [parseIotSql, parseTemplate]) {
            try {
              parseText(text);
            } catch (error) {
              expect(error).toBeInstanceOf(IotSqlError);
            }
          }
        },
      ),
      { numRuns: runs(1_000) },
    );
  });

  it('WHEN any string is offered as a principal or topic segment THEN only a plain segment passes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        if (!isTopicSegment(s)) return;
        expect(s).not.toMatch(/[/+#]/);
        expect(s.includes(String.fromCharCode(0))).toBe(false);
      }),
      { numRuns: runs(1_000) },
    );
  });
});
