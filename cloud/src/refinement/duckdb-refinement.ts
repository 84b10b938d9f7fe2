import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakeStream } from '@croupier/contracts';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Partition, refinementQuery } from './refinement-sql.js';

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Runs the refinement of one partition on DuckDB over a lake folder: reads the raw gzip JSON-lines
 * files of `raw/{stream}/dt=/hr=`, writes Parquet under `refined/{stream}/dt=/hr=`. The target
 * partition is replaced, so running it again gives the same result.
 */
export async function refinePartitionWithDuckDb(
  lakeDir: string,
  stream: LakeStream,
  partition: Partition,
): Promise<{ rawRows: number; refinedRows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const glob = join(lakeDir, 'raw', stream, '*', '*', '*.jsonl.gz');
    await connection.run(
      `CREATE VIEW raw_events AS SELECT * FROM read_json(${quote(glob)}, format = 'newline_delimited', hive_partitioning = true, union_by_name = true, hive_types = {'dt': VARCHAR, 'hr': VARCHAR})`,
    );
    const columns = (await connection.runAndReadAll('DESCRIBE raw_events'))
      .getRowObjectsJson()
      .map((r) => String(r.column_name));
    const query = refinementQuery('raw_events', columns, partition);
    const target = join(lakeDir, 'refined', stream);
    await rm(join(target, `dt=${partition.dt}`, `hr=${partition.hr}`), { recursive: true, force: true });
    await mkdir(target, { recursive: true });
    await connection.run(
      `COPY (${query}) TO ${quote(target)} (FORMAT parquet, PARTITION_BY (dt, hr), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'refined-{i}')`,
    );
    const count = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
    return {
      rawRows: await count(
        `SELECT count(*) AS n FROM raw_events WHERE dt = ${quote(partition.dt)} AND hr = ${quote(partition.hr)}`,
      ),
      refinedRows: await count(
        `SELECT count(*) AS n FROM read_parquet(${quote(join(target, `dt=${partition.dt}`, `hr=${partition.hr}`, '*.parquet'))})`,
      ),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
