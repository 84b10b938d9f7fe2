import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { FailurePrediction, ShufflerTelemetry } from '@croupier/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTableNames } from '../../src/common/table-names.js';
import { createShufflerHandler } from '../../src/handlers/shuffler-processor.js';
import { SnsAlertNotifier } from '../../src/shuffler-health/alert-notifier.js';
import { DEFAULT_HEALTH_CONFIG } from '../../src/shuffler-health/device-health.js';
import { TimestreamSink } from '../../src/shuffler-health/timestream-sink.js';
import { type DynamoHarness, startDynamo } from './support/dynamo-harness.js';
import { envelopeRecords } from './support/kinesis-batch.js';
import { eventId } from './support/play.js';

const tables = defaultTableNames();
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:croupier-maintenance';
const T0 = Date.UTC(2026, 10, 21, 20);
const sns = mockClient(SNSClient);
const timestream = mockClient(TimestreamWriteClient);

function reading(deviceId: string, t: number, overrides: Partial<ShufflerTelemetry> = {}): ShufflerTelemetry {
  return {
    eventId: eventId(t),
    eventTime: t,
    schemaVersion: '1.0',
    type: 'shuffler_telemetry',
    deviceId,
    tableId: `table-${deviceId}`,
    game: 'blackjack',
    counters: { shufflesTotal: 1000 + t / 1000, misfeedsTotal: 3, jamsTotal: 1, cardCountErrorsTotal: 0 },
    gauges: {
      shufflesPerHour: 40,
      cycleTimeSeconds: 30,
      motorCurrentAmps: 1.5,
      temperatureCelsius: 41,
      hoursSinceService: 500 + (t - T0) / 3_600_000,
    },
    state: 'shuffling',
    faultCode: 'none',
    sensors: { inputTrayOptical: true, outputTrayOptical: true, cardCounter: true, doorClosed: true },
    ...overrides,
  };
}

const prediction = (deviceId: string, t: number, probability: number): FailurePrediction => ({
  eventId: eventId(t),
  eventTime: t,
  schemaVersion: '1.0',
  type: 'failure_prediction',
  deviceId,
  modelVersion: '1.2.0',
  probability,
  horizonHours: 24,
  windowEnd: t,
});

let seq = 0;
const batch = (events: (ShufflerTelemetry | FailurePrediction)[]) => ({
  Records: envelopeRecords([
    {
      stream: 'shuffler' as const,
      property: 'prop-1',
      core: 'core-t',
      seq: seq++,
      events: events.filter((e) => e.type === 'shuffler_telemetry') as ShufflerTelemetry[],
    },
    {
      stream: 'alert' as const,
      property: 'prop-1',
      core: 'core-t',
      seq: seq++,
      events: events.filter((e) => e.type === 'failure_prediction') as FailurePrediction[],
    },
  ]),
});

describe('shuffler processor', () => {
  let harness: DynamoHarness;
  let handler: ReturnType<typeof createShufflerHandler>;

  beforeAll(async () => {
    harness = await startDynamo();
    handler = createShufflerHandler({
      dynamo: harness.doc,
      sink: new TimestreamSink(new TimestreamWriteClient({ region: 'us-east-1' }), 'croupier', 'shuffler_telemetry'),
      notifier: new SnsAlertNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC),
      health: DEFAULT_HEALTH_CONFIG,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => T0,
    });
  });
  afterAll(async () => harness?.close());
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    timestream.reset();
    timestream.on(WriteRecordsCommand).resolves({ RecordsIngested: { Total: 1 } });
  });

  const alertsOf = async (deviceId: string) =>
    (
      await harness.doc.send(
        new QueryCommand({
          TableName: tables.alerts,
          KeyConditionExpression: 'deviceId = :d',
          ExpressionAttributeValues: { ':d': deviceId },
        }),
      )
    ).Items ?? [];

  it('GIVEN 150 readings WHEN processed THEN Timestream gets multi-measure records in calls of at most 100 with common attributes', async () => {
    const readings = Array.from({ length: 150 }, (_, i) => reading(`shf-${i % 3}`, T0 + i * 1_000));
    expect((await handler(batch(readings))).batchItemFailures).toEqual([]);
    const calls = timestream.commandCalls(WriteRecordsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Records?.length)).toEqual([100, 50]);
    expect(calls[0]!.CommonAttributes).toEqual({
      Dimensions: [
        { Name: 'property', Value: 'prop-1', DimensionValueType: 'VARCHAR' },
        { Name: 'core', Value: 'core-t', DimensionValueType: 'VARCHAR' },
      ],
      MeasureName: 'shuffler_telemetry',
      MeasureValueType: 'MULTI',
      TimeUnit: 'MILLISECONDS',
    });
    expect(calls[0]!.Records![0]).toEqual({
      Dimensions: [
        { Name: 'deviceId', Value: 'shf-0', DimensionValueType: 'VARCHAR' },
        { Name: 'game', Value: 'blackjack', DimensionValueType: 'VARCHAR' },
        { Name: 'tableId', Value: 'table-shf-0', DimensionValueType: 'VARCHAR' },
      ],
      Time: String(T0),
      MeasureValues: expect.arrayContaining([
        { Name: 'state', Value: 'shuffling', Type: 'VARCHAR' },
        { Name: 'temperatureCelsius', Value: '41', Type: 'DOUBLE' },
        { Name: 'sensorsHealthy', Value: 'true', Type: 'BOOLEAN' },
      ]),
    });
    expect(calls[0]!.Records![0]!.MeasureValues).toHaveLength(12);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const devices = (await harness.doc.send(new ScanCommand({ TableName: tables.devices }))).Items ?? [];
    expect(devices.map((d) => [d.deviceId, d.state, d.lastEventTime]).sort()).toEqual([
      ['shf-0', 'shuffling', T0 + 147_000],
      ['shf-1', 'shuffling', T0 + 148_000],
      ['shf-2', 'shuffling', T0 + 149_000],
    ]);
  });

  it('GIVEN a jam WHEN it persists and then clears THEN one alert is raised and notified, then resolved as recovered', async () => {
    const t = T0 + 3_600_000;
    const jam = reading('shf-0', t, { state: 'fault', faultCode: 'jam' });
    await handler(batch([jam, reading('shf-0', t + 5_000, { state: 'fault', faultCode: 'jam' })]));
    const [alert] = await alertsOf('shf-0');
    expect(alert).toMatchObject({
      state: 'raised',
      cause: 'fault',
      severity: 'critical',
      raisedAt: new Date(t).toISOString(),
    });
    const raised = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(raised).toHaveLength(1);
    const message = JSON.parse(raised[0]!.Message!);
    expect(raised[0]).toEqual({
      TopicArn: TOPIC,
      Subject: '[critical] shf-0: fault raised',
      Message: JSON.stringify(message),
      MessageAttributes: {
        deviceId: { DataType: 'String', StringValue: 'shf-0' },
        severity: { DataType: 'String', StringValue: 'critical' },
        state: { DataType: 'String', StringValue: 'raised' },
        cause: { DataType: 'String', StringValue: 'fault' },
        transitionId: { DataType: 'String', StringValue: message.eventId },
      },
    });
    expect(message).toMatchObject({
      type: 'maintenance_alert',
      alertId: alert!.alertId,
      message: 'shf-0 reports fault jam',
    });

    sns.resetHistory();
    await handler(batch([reading('shf-0', t + 60_000)]));
    const resolved = sns.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message!));
    expect(resolved).toMatchObject([{ state: 'resolved', resolution: 'recovered', alertId: alert!.alertId }]);
    expect((await alertsOf('shf-0'))[0]).toMatchObject({ state: 'resolved', resolution: 'recovered' });
  });

  it('GIVEN a high failure risk and then a fault within the cool-down THEN both are recorded, only the first is notified, and a service resolves both', async () => {
    const t = T0 + 2 * 3_600_000;
    await handler(batch([prediction('shf-1', t, 0.95), prediction('shf-1', t + 1_000, 0.97)]));
    await handler(batch([reading('shf-1', t + 120_000, { state: 'fault', faultCode: 'misfeed' })]));
    const open = await alertsOf('shf-1');
    expect(open.map((a) => [a.cause, a.severity, a.state]).sort()).toEqual([
      ['fault', 'critical', 'raised'],
      ['predicted_failure', 'critical', 'raised'],
    ]);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Subject)).toEqual([
      '[critical] shf-1: predicted failure raised',
    ]);
    const openByState = await harness.doc.send(
      new QueryCommand({
        TableName: tables.alerts,
        IndexName: 'byState',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'raised' },
      }),
    );
    expect(openByState.Items?.filter((a) => a.deviceId === 'shf-1')).toHaveLength(2);

    sns.resetHistory();
    await handler(
      batch([
        reading('shf-1', t + 600_000, {
          state: 'service',
          gauges: { ...reading('shf-1', t).gauges, hoursSinceService: 0 },
        }),
      ]),
    );
    expect((await alertsOf('shf-1')).map((a) => [a.cause, a.state, a.resolution]).sort()).toEqual([
      ['fault', 'resolved', 'serviced'],
      ['predicted_failure', 'resolved', 'serviced'],
    ]);
    // Only the notified raise gets a resolution notice.
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Subject)).toEqual([
      '[critical] shf-1: predicted failure resolved',
    ]);
  });

  it('GIVEN a batch already processed WHEN Lambda replays it THEN no alert, notification or device changes', async () => {
    const t = T0 + 5 * 3_600_000;
    const event = batch([
      reading('shf-2', t, { state: 'fault', faultCode: 'motor_stall' }),
      prediction('shf-2', t + 1, 0.8),
    ]);
    await handler(event);
    const before = await Promise.all([
      alertsOf('shf-2'),
      harness.doc.send(new ScanCommand({ TableName: tables.devices })),
    ]);
    sns.resetHistory();
    expect((await handler(event)).batchItemFailures).toEqual([]);
    const after = await Promise.all([
      alertsOf('shf-2'),
      harness.doc.send(new ScanCommand({ TableName: tables.devices })),
    ]);
    expect(after[0]).toEqual(before[0]);
    expect(after[1].Items).toEqual(before[1].Items);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
