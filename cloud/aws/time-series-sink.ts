import type { WriteRecordsRequest, WriteRecordsResponse } from '@aws-sdk/client-timestream-write';

/**
 * Where processors write time series: the WriteRecords call of Amazon Timestream, with its request
 * and response shapes and its errors (`RejectedRecordsException` naming each refused record,
 * `ValidationException`, `ResourceNotFoundException` from `@aws-sdk/client-timestream-write`).
 *
 * In AWS the implementation sends `WriteRecordsCommand` with the Timestream client; on the local
 * floor it is a DuckDB table with the same record model. Processors depend on this interface only,
 * so which one runs is wiring, not a branch in handler code.
 */
export interface TimeSeriesSink {
  writeRecords(request: WriteRecordsRequest): Promise<WriteRecordsResponse>;
}
