/**
 * `npm run query`: SQL over the data lake with DuckDB. See `npm run query -- --help`.
 */
import { loadEnvironmentConfig } from '@croupier/cloud/infra/config/load';
import { LakeQueryEngine } from '@croupier/cloud/local/lake/lake-query-engine';
import { NAMED_QUERIES, namedQuery, runNamedQuery } from '@croupier/cloud/local/lake/named-queries';
import { parseQueryOptions, QUERY_USAGE } from '@croupier/cloud/local/lake/named-queries-options';
import { renderTable } from '@croupier/cloud/local/lake/named-queries-table';
import { defaultStateRoot, stateFolder } from '@croupier/cloud/local/state-folder';

async function main(): Promise<void> {
  const { floor } = loadEnvironmentConfig('dev');
  const options = parseQueryOptions(process.argv.slice(2), process.env, {
    lake: stateFolder(process.env.CROUPIER_STATE_DIR ?? defaultStateRoot()).lake,
    timeZone: floor.timeZone,
    gamingDayStartHour: floor.gamingDayStartHour,
  });
  if (options.mode === 'help') {
    process.stdout.write(`${QUERY_USAGE}\n`);
    return;
  }
  if (options.mode === 'list') {
    const width = Math.max(...NAMED_QUERIES.map((q) => q.name.length));
    for (const q of NAMED_QUERIES) process.stdout.write(`${q.name.padEnd(width)}  ${q.description}\n`);
    return;
  }
  const engine = await LakeQueryEngine.open(options.lake);
  try {
    if ((await engine.refresh()).length === 0) process.stderr.write(`note: no lake objects under ${options.lake}\n`);
    const rows =
      options.mode === 'sql'
        ? await engine.query(options.sql)
        : await runNamedQuery(engine, namedQuery(options.name), {
            ...(options.from !== undefined ? { from: options.from } : {}),
            ...(options.to !== undefined ? { to: options.to } : {}),
            ...(options.limit !== undefined ? { limit: options.limit } : {}),
            timeZone: options.timeZone,
            gamingDayStartHour: options.gamingDayStartHour,
          });
    process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderTable(rows)}\n`);
  } finally {
    engine.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run query: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
