import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeQueryEngine } from '@croupier/cloud/local/lake/lake-query-engine';
import { refinePartitionWithDuckDb } from '@croupier/cloud/src/refinement/duckdb-refinement';
import type { LakeStream } from '@croupier/contracts';

/** How a stream is stored: every event id in the raw zone with its copies, and in the refined zone. */
export interface StoredStream {
  /** Copies of each event id in `raw/` (at-least-once: more than one is allowed there). */
  readonly raw: ReadonlyMap<string, number>;
  /** Rows of each event id in `refined/` after the refinement job ran over every raw partition. */
  readonly refined: ReadonlyMap<string, number>;
  /** Event time of each event id. */
  readonly eventTime: ReadonlyMap<string, number>;
}

const partitionsOf = async (dir: string) => {
  const out: { dt: string; hr: string }[] = [];
  for (const day of await readdir(dir).catch(() => [] as string[])) {
    if (!day.startsWith('dt=')) continue;
    for (const hour of await readdir(join(dir, day))) {
      if (hour.startsWith('hr=')) out.push({ dt: day.slice(3), hr: hour.slice(3) });
    }
  }
  return out;
};

/**
 * Runs the refinement job (DuckDB, the same statement Athena runs) over every raw partition of
 * `stream`, then reads the raw and refined zones back with DuckDB.
 */
export async function readStoredStream(lakeDir: string, stream: LakeStream): Promise<StoredStream> {
  for (const partition of await partitionsOf(join(lakeDir, 'raw', stream))) {
    await refinePartitionWithDuckDb(lakeDir, stream, partition);
  }
  const engine = await LakeQueryEngine.open(lakeDir);
  try {
    const raw = await engine.query(
      `SELECT eventId AS id, count(*)::INTEGER AS n, min(eventTime)::DOUBLE AS t FROM raw_${stream} GROUP BY 1`,
    );
    const glob = join(lakeDir, 'refined', stream, '*', '*', '*.parquet').replaceAll("'", "''");
    const refined = await engine.query(
      `SELECT eventid AS id, count(*)::INTEGER AS n FROM read_parquet('${glob}', hive_partitioning = false) GROUP BY 1`,
    );
    return {
      raw: new Map(raw.map((r) => [String(r.id), Number(r.n)])),
      refined: new Map(refined.map((r) => [String(r.id), Number(r.n)])),
      eventTime: new Map(raw.map((r) => [String(r.id), Number(r.t)])),
    };
  } finally {
    engine.close();
  }
}
