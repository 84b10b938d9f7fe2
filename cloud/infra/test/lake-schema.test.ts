import { streamSchemas } from '@croupier/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { glueColumns, hiveType, type JsonSchema } from '../constructs/glue-columns.js';
import { lakeTableName, namedLakeQueries } from '../constructs/lake-queries.js';

describe('Glue columns from the contract', () => {
  it('GIVEN JSON Schema scalars WHEN mapped THEN Hive types follow (integers are bigint: epoch millis overflow int)', () => {
    expect(hiveType({ type: 'string' })).toBe('string');
    expect(hiveType({ type: 'integer' })).toBe('bigint');
    expect(hiveType({ type: 'number' })).toBe('double');
    expect(hiveType({ type: 'boolean' })).toBe('boolean');
    expect(hiveType({ type: 'string', enum: ['a', 'b'] })).toBe('string');
    expect(hiveType({ type: 'array', items: { type: 'integer' } })).toBe('array<bigint>');
  });

  it('GIVEN objects WHEN mapped THEN fixed properties become structs and open maps become maps', () => {
    expect(hiveType({ type: 'object', properties: { jamsTotal: { type: 'integer' } } })).toBe(
      'struct<jamstotal:bigint>',
    );
    expect(hiveType({ type: 'object', additionalProperties: { type: 'number' } })).toBe('map<string,double>');
  });

  it('GIVEN a union whose variants disagree on a field type WHEN merged THEN that column falls back to string', () => {
    const schema: JsonSchema = {
      oneOf: [
        { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } } },
        { type: 'object', properties: { a: { type: 'boolean' }, c: { type: 'number' } } },
      ],
    };
    expect(glueColumns(schema)).toEqual([
      { name: 'a', type: 'string' },
      { name: 'b', type: 'string' },
      { name: 'c', type: 'double' },
    ]);
  });

  it('GIVEN the slot event union WHEN mapped THEN every variant field is a lower-case column', () => {
    const columns = glueColumns(
      z.toJSONSchema(streamSchemas.slot, { io: 'output', unrepresentable: 'any' }) as JsonSchema,
    );
    const byName = new Map(columns.map((c) => [c.name, c.type]));
    expect(byName.get('eventid')).toBe('string');
    expect(byName.get('eventtime')).toBe('bigint');
    expect(byName.get('wagercents')).toBe('bigint');
    expect(byName.get('machineid')).toBe('string');
    expect(columns.every((c) => c.name === c.name.toLowerCase())).toBe(true);
  });

  it('GIVEN shuffler telemetry WHEN mapped THEN counters and gauges are structs the queries can address', () => {
    const columns = glueColumns(
      z.toJSONSchema(streamSchemas.shuffler, { io: 'output', unrepresentable: 'any' }) as JsonSchema,
    );
    const counters = columns.find((c) => c.name === 'counters');
    expect(counters?.type).toMatch(/^struct<.*jamstotal:bigint.*>$/);
    expect(columns.find((c) => c.name === 'gauges')?.type).toContain('temperaturecelsius:double');
  });
});

describe('lake queries', () => {
  it('GIVEN the database WHEN naming tables THEN zone and stream make the name', () => {
    expect(lakeTableName('refined', 'shuffler')).toBe('refined_shuffler');
  });

  it('GIVEN the named queries WHEN built THEN each is qualified by database and prunes on the dt partition', () => {
    for (const query of namedLakeQueries('croupier_dev')) {
      expect(query.sql).toContain('croupier_dev.');
      expect(query.sql).toMatch(/dt >= date_format\(current_date - interval '\d+' day, '%Y-%m-%d'\)/);
    }
  });
});
