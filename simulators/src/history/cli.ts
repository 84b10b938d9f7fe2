/**
 * History generator CLI.
 *
 *   npx tsx simulators/src/history/cli.ts --scenario simulators/scenarios/shuffler-history-90d.json --out .croupier/lake
 *
 * Writes the scenario's history into the lake directory and prints a JSON summary. The same scenario
 * (and seed) always writes byte-identical files.
 */
import { parseArgs } from 'node:util';
import { loadShufflerScenario } from '../shuffler/scenario.js';
import { generateShufflerHistory } from './shuffler-history.js';

const USAGE = 'usage: tsx simulators/src/history/cli.ts --scenario <shuffler scenario.json> --out <lake dir>';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scenario: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.scenario || !values.out) throw new Error(USAGE);
  const scenario = await loadShufflerScenario(values.scenario);
  let lastDay = '';
  const summary = await generateShufflerHistory(scenario, values.out, (hourMs) => {
    const day = new Date(hourMs).toISOString().slice(0, 10);
    if (!values.quiet && day !== lastDay) process.stderr.write(`${day}\r`);
    lastDay = day;
  });
  process.stdout.write(
    `${JSON.stringify(
      {
        ...summary,
        start: new Date(summary.startMs).toISOString(),
        end: new Date(summary.endMs).toISOString(),
        lake: values.out,
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
