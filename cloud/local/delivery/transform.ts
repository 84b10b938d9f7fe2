import type { LakeStream } from '@croupier/contracts';

/** A Kinesis record handed to the delivery stream's transform (Firehose's data-transformation Lambda). */
export interface SourceRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly shardId: string;
  readonly approximateArrivalTimestamp: Date;
}

/** One event bound for the lake: which lake stream it belongs to, its event time, and the JSON. */
export interface LakeEvent {
  readonly stream: LakeStream;
  /** Event time in ms epoch; picks the `dt=`/`hr=` partition. */
  readonly eventTime: number;
  readonly event: Readonly<Record<string, unknown>>;
}

/** An input the transform refused: kept under `errors/` with its reason, never silently lost. */
export interface RejectedInput {
  /** The lake stream the input was meant for, when known; picks its `errors/` partition. */
  readonly stream?: LakeStream;
  readonly reason: string;
  readonly raw: unknown;
}

/**
 * The transform's verdict on one record, with Firehose's three result kinds: `Ok` (zero or more
 * events, plus any events inside the record that were refused), `Dropped` (intentionally nothing),
 * `ProcessingFailed` (the whole record is unusable and goes to the error output).
 */
export type TransformResult =
  | { readonly result: 'Ok'; readonly events: readonly LakeEvent[]; readonly rejected: readonly RejectedInput[] }
  | { readonly result: 'Dropped' }
  | { readonly result: 'ProcessingFailed'; readonly reason: string };

/** Turns one source record into lake events. May be async (a Lambda call in production). */
export type RecordTransform = (record: SourceRecord) => TransformResult | Promise<TransformResult>;
