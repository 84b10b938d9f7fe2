/**
 * Builds the failure-model dataset channels from a lake folder:
 *
 *   npx tsx cloud/ml/dataset/cli.ts --lake <lake dir> --out <channels dir> [--max-horizon-hours 72]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDataset } from './build-dataset.js';

const { values } = parseArgs({
  options: {
    lake: { type: 'string' },
    out: { type: 'string' },
    'max-horizon-hours': { type: 'string' },
    'train-every-minutes': { type: 'string' },
  },
  strict: true,
});
if (!values.lake || !values.out) {
  console.error(
    'usage: cli.ts --lake <lake dir> --out <channels dir> [--max-horizon-hours H] [--train-every-minutes M]',
  );
  process.exit(2);
}
try {
  const manifest = await buildDataset(
    resolve(values.lake),
    resolve(values.out),
    {
      ...(values['max-horizon-hours'] ? { maxHorizonHours: Number(values['max-horizon-hours']) } : {}),
      ...(values['train-every-minutes'] ? { trainEveryMinutes: Number(values['train-every-minutes']) } : {}),
    },
    (line) => console.log(line),
  );
  console.log(JSON.stringify(manifest.channels));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
