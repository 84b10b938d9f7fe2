import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakeStream, LakeZone } from '@croupier/contracts';
import { type DuckDBConnection, DuckDBInstance, type Json } from '@duckdb/node-api';

/**
 * DuckDB over the lake folder: the local Athena. Each zone/stream is a view named `<zone>_<stream>`
 * (`raw_slot`, `refined_shuffler`, ...) reading the gzip JSON-lines objects with Hive partitioning,
 * so `dt` and `hr` are columns and filters on them prune folders, as partition projection does in
 * Athena. Views are made for the streams that have objects; {@link refresh} picks up new ones.
 */
export class LakeQueryEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly lakeRoot: string,
  ) {}

  static async open(lakeRoot: string): Promise<LakeQueryEngine> {
    // Extensions stay local: json and parquet are built in, nothing is downloaded.
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const engine = new LakeQueryEngine(instance, await instance.connect(), lakeRoot);
    await engine.refresh();
    return engine;
  }

  /** The SQL that reads one zone/stream, for use inside larger queries. */
  source(zone: LakeZone, stream: LakeStream | string): string {
    // `stream` may be a nested folder such as `firehose/processing-failed`.
    const glob = join(this.lakeRoot, zone, stream, 'dt=*', 'hr=*', '*.jsonl.gz').replaceAll("'", "''");
    return `read_json('${glob}', format = 'newline_delimited', hive_partitioning = true, union_by_name = true, hive_types = {'dt': DATE, 'hr': INTEGER})`;
  }

  /**
   * (Re)creates a view for every folder holding Hive-partitioned objects: `<zone>_<stream>`, and
   * for nested error outputs such as `errors/firehose/processing-failed/`,
   * `errors_firehose_processing_failed`. Returns the view names.
   */
  async refresh(): Promise<string[]> {
    const views: string[] = [];
    const visit = async (relative: string[]): Promise<void> => {
      const path = join(this.lakeRoot, ...relative);
      if (await hasPartitionedObjects(path)) {
        const view = relative.join('_').replaceAll('-', '_');
        await this.connection.run(
          `CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${this.source(relative[0] as LakeZone, relative.slice(1).join('/'))}`,
        );
        views.push(view);
        return;
      }
      if (relative.length >= 3) return;
      for (const child of await subfolders(path)) {
        if (/^[a-z0-9-]+$/.test(child)) await visit([...relative, child]);
      }
    };
    for (const zone of ['raw', 'refined', 'errors'] as const) {
      for (const stream of await subfolders(join(this.lakeRoot, zone))) {
        if (/^[a-z0-9-]+$/.test(stream)) await visit([zone, stream]);
      }
    }
    return views;
  }

  /** Runs a query and returns rows as JSON-safe objects (BIGINT as string, DATE as ISO text). */
  async query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<Record<string, Json>[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJson();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

async function subfolders(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** True when a `dt=…/hr=…` partition below `path` holds an object: the only layout the views read. */
async function hasPartitionedObjects(path: string): Promise<boolean> {
  for (const day of await subfolders(path)) {
    if (!day.startsWith('dt=')) continue;
    for (const hour of await subfolders(join(path, day))) {
      if (!hour.startsWith('hr=')) continue;
      if ((await readdir(join(path, day, hour))).some((name) => name.endsWith('.jsonl.gz'))) return true;
    }
  }
  return false;
}
