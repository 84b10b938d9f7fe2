import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisInvocationRecord } from './invocation-record.js';

/** Where discarded batches are reported (SQS, SNS or S3 in AWS). */
export interface OnFailureDestination {
  send(record: KinesisInvocationRecord): Promise<void>;
}

/**
 * The local on-failure destination: one JSON file per discarded batch, named so that a listing is
 * in time order and says which shard and sequence range it covers. Written to a temporary name
 * and renamed, so a reader never sees half a file.
 */
export class FileOnFailureDestination implements OnFailureDestination {
  constructor(private readonly folder: string) {}

  async send(record: KinesisInvocationRecord): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const info = record.KinesisBatchInfo;
    const stamp = record.timestamp.replace(/[:.]/g, '-');
    const name = `${stamp}-${info.shardId}-${info.startSequenceNumber}-${record.requestContext.requestId}.json`;
    const path = join(this.folder, name);
    await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o640 });
    await rename(`${path}.tmp`, path);
  }
}
