import { readFileSync } from 'node:fs';
import { z } from 'zod';

const TEMPLATE = readFileSync(new URL('./refine.sql', import.meta.url), 'utf8');

/** A partition of the lake: `dt=YYYY-MM-DD/hr=HH`. */
export const Partition = z.object({
  dt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  hr: z.string().regex(/^([01]\d|2[0-3])$/),
});
export type Partition = z.infer<typeof Partition>;

const COLUMN = /^[a-z_][a-z0-9_]{0,127}$/;

/**
 * The refinement query for one partition. Columns are the event columns of the stream (the Glue
 * table's, or DuckDB's DESCRIBE of the raw files), without the partition columns; they and the
 * partition are validated because they are spliced into SQL.
 */
export function refinementQuery(source: string, columns: readonly string[], partition: Partition): string {
  const { dt, hr } = Partition.parse(partition);
  const names = columns.map((c) => c.toLowerCase()).filter((c) => c !== 'dt' && c !== 'hr');
  const bad = names.find((c) => !COLUMN.test(c));
  if (bad !== undefined) throw new Error(`refusing column name ${JSON.stringify(bad)}`);
  if (!names.includes('eventid') || !names.includes('eventtime')) throw new Error('source has no eventid/eventtime');
  return TEMPLATE.replaceAll('{{output_columns}}', names.map((c) => `${c} AS ${c}`).join(', '))
    .replaceAll('{{columns}}', names.join(', '))
    .replaceAll('{{source}}', source)
    .replaceAll('{{dt}}', dt)
    .replaceAll('{{hr}}', hr);
}

/** The Athena statement: insert the partition's de-duplicated events into the refined table. */
export function athenaRefinementStatement(
  database: string,
  stream: string,
  columns: readonly string[],
  partition: Partition,
): string {
  return `INSERT INTO "${database}"."refined_${stream}"\n${refinementQuery(`"${database}"."raw_${stream}"`, columns, partition)}`;
}
