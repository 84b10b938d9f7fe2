import { describe, expect, it } from 'vitest';
import { HealthEnv } from '../../src/shuffler-health/health-env.js';

const topic = { ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:croupier-maintenance-alerts' };

describe('shuffler processor environment', () => {
  it('GIVEN no Timestream variables THEN telemetry is lake-only (Timestream is off by default)', () => {
    expect(HealthEnv.parse(topic).timestream).toBeUndefined();
  });

  it('GIVEN both Timestream variables THEN the Timestream sink is configured', () => {
    const env = HealthEnv.parse({ ...topic, TIMESTREAM_DATABASE: 'croupier', TIMESTREAM_TABLE: 'shuffler-telemetry' });
    expect(env.timestream).toEqual({ database: 'croupier', table: 'shuffler-telemetry' });
  });

  it('GIVEN only one of them THEN the configuration is refused, naming the field', () => {
    const parsed = HealthEnv.safeParse({ ...topic, TIMESTREAM_DATABASE: 'croupier' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['TIMESTREAM_TABLE']);
  });
});
