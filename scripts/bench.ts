/**
 * `npm run bench`: runs every benchmark once, each in its own process, and writes BENCHMARKS.md
 * from that one run. `npm run bench -- --quick` is a short smoke run; `--out PATH` writes elsewhere.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PRICES } from './bench/prices.js';
import { REFERENCE_FLOOR } from './bench/reference-floor.js';
import { renderBenchmarks } from './bench/render.js';
import { runBenchmarks } from './bench/run-benchmarks.js';
import { slotDeployment } from './bench/slot-deployment.js';

const repositoryRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const BenchOptions = z.object({
  quick: z.boolean().default(false),
  out: z.string().min(1).default(resolve(repositoryRoot, 'BENCHMARKS.md')),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { quick: { type: 'boolean' }, out: { type: 'string' } },
  });
  const options = BenchOptions.parse({
    quick: values.quick,
    out: values.out ? resolve(process.env.INIT_CWD ?? process.cwd(), values.out) : undefined,
  });
  const deployment = slotDeployment(REFERENCE_FLOOR.slotTopic);
  const figures = await runBenchmarks({
    quick: options.quick,
    command: options.quick ? 'npm run bench -- --quick' : 'npm run bench',
    deployment,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  await writeFile(options.out, renderBenchmarks({ figures, deployment, prices: PRICES, floor: REFERENCE_FLOOR }));
  process.stdout.write(`wrote ${options.out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
