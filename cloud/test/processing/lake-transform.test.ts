import { encodeEnvelope, newEventId, SCHEMA_VERSION, type SlotEvent } from '@croupier/contracts';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { handler } from '../../src/handlers/lake-transform.js';

const at = Date.UTC(2026, 10, 21, 23, 59, 30);
const game = (wagerCents: number, eventTime = at): SlotEvent => ({
  eventId: newEventId(),
  eventTime,
  schemaVersion: SCHEMA_VERSION,
  machineId: 'SM-0042',
  type: 'game_played',
  gameId: 'buffalo-gold',
  paytableId: 'BG-92',
  theoreticalHold: 0.08,
  denominationCents: 1,
  wagerCents,
  winCents: 0,
});
const envelope = (events: SlotEvent[]) =>
  Buffer.from(
    encodeEnvelope(
      { stream: 'slot', property: 'vegas-1', core: 'floor-core-01', seq: 1, createdAt: at, events },
      'brotli',
    ),
  ).toString('base64');

const firehoseEvent = (data: string[]): FirehoseTransformationEvent => ({
  invocationId: 'invocation-1',
  deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/croupier-lake-slot',
  region: 'us-east-1',
  records: data.map((d, i) => ({ recordId: `record-${i}`, approximateArrivalTimestamp: at, data: d })),
});

describe('lake transform (Firehose data transformation)', () => {
  it('GIVEN an envelope WHEN transformed THEN its valid events become JSON lines partitioned by stream and hour', async () => {
    const good = [game(100), game(200, at + 20_000)];
    const result = await handler(
      firehoseEvent([envelope([good[0]!, { ...game(1), wagerCents: -1 } as SlotEvent, good[1]!])]),
    );
    const [record] = result.records;
    expect(record).toMatchObject({
      recordId: 'record-0',
      result: 'Ok',
      metadata: { partitionKeys: { stream: 'slot', dt: '2026-11-21', hr: '23' } },
    });
    const lines = Buffer.from(record!.data!, 'base64').toString('utf8');
    expect(lines.endsWith('\n')).toBe(true);
    expect(
      lines
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).eventId),
    ).toEqual(good.map((e) => e.eventId));
  });

  it('GIVEN an envelope across an hour boundary, which Uplink never makes, THEN it is filed under its first event’s hour, and the events of the next hour are counted and warned about', async () => {
    const lines: Record<string, unknown>[] = [];
    // Powertools writes metrics (EMF) to stdout and warnings to stderr.
    const capture = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
    try {
      const result = await handler(firehoseEvent([envelope([game(1), game(2, at + 60_000), game(3, at + 90_000)])]));
      expect(result.records[0]).toMatchObject({ metadata: { partitionKeys: { dt: '2026-11-21', hr: '23' } } });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(
      lines.find((l) => l.message === "envelope holds events of another hour; filed under its first event's hour"),
    ).toMatchObject({
      recordId: 'record-0',
      events: 2,
    });
    expect(lines.find((l) => '_aws' in l)).toMatchObject({ LakeEventsOutsideHour: 2, LakeEvents: 3 });
  });

  it('GIVEN bytes that are not an envelope THEN that record fails processing alone, unchanged, and the others pass', async () => {
    const garbage = Buffer.from('not an envelope').toString('base64');
    const result = await handler(firehoseEvent([garbage, envelope([game(5)])]));
    expect(result.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(result.records[0]!.data).toBe(garbage);
  });

  it('GIVEN an envelope whose every event is refused THEN the record is dropped, not written empty', async () => {
    const result = await handler(firehoseEvent([envelope([{ ...game(1), wagerCents: -1 } as SlotEvent])]));
    expect(result.records[0]!.result).toBe('Dropped');
  });
});
