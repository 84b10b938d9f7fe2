/**
 * Builds the failure-model dataset channels from a lake folder:
 *
 *   npx tsx cloud/ml/dataset/cli.ts --lake <lake dir> --out <channels dir> [--days 180] [--max-horizon-hours 72]
 *
 * `--days` keeps the newest N days of history (by eventTime, counted back from now); without it the whole lake is read.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDataset } from './build-dataset.js';

const { values } = parseArgs({
  options: {
    lake: { type: 'string' },
    out: { type: 'string' },
    days: { type: 'string' },
    'max-horizon-hours': { type: 'string' },
    'train-every-minutes': { type: 'string' },
  },
  strict: true,
});
if (!values.lake || !values.out) {
  console.error(
    'usage: cli.ts --lake <lake dir> --out <channels dir> [--days N] [--max-horizon-hours H] [--train-every-minutes M]',
  );
  process.exit(2);
}
const DAY_MS = 86_400_000;
const days = values.days === undefined ? undefined : Number(values.days);
if (days !== undefined && !(Number.isInteger(days) && days > 0)) {
  console.error(`--days must be a positive whole number of days, got "${values.days}"`);
  process.exit(2);
}
try {
  const manifest = await buildDataset(
    resolve(values.lake),
    resolve(values.out),
    {
      ...(days !== undefined ? { fromMs: Date.now() - days * DAY_MS } : {}),
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
