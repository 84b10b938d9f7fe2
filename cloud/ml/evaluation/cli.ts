/**
 * Evaluates a trained FailureModel on held-out simulated fleets next to the threshold-rule baseline,
 * prints the figures, writes them into the model card and applies the gate:
 *
 *   npx tsx cloud/ml/evaluation/cli.ts --model <model dir> --channels <dataset dir>
 *       [--lake <held-out fleet lake: all of it> [--devices id,id,...]] [--deployed <model dir>] [--report <file.json>]
 *
 * Exit code 0 when the gate accepts the model, 3 when it refuses it, 1 on error.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateCandidate } from './evaluate-candidate.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    channels: { type: 'string' },
    lake: { type: 'string' },
    deployed: { type: 'string' },
    devices: { type: 'string' },
    report: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!values.model || !values.channels) {
  console.error('usage: cli.ts --model <dir> --channels <dir> [--lake <dir>] [--deployed <dir>] [--report <file>]');
  process.exit(2);
}
try {
  const started = Date.now();
  const result = await evaluateCandidate(
    {
      candidateDir: resolve(values.model),
      channelsDir: resolve(values.channels),
      ...(values.lake
        ? {
            fleet: {
              lakeDir: resolve(values.lake),
              ...(values.devices ? { deviceIds: values.devices.split(',').filter(Boolean) } : {}),
            },
          }
        : {}),
      ...(values.deployed ? { deployedDir: resolve(values.deployed) } : {}),
    },
    (line) => {
      if (values.verbose || !line.includes('readings replayed')) console.log(line);
    },
  );
  console.log(result.report);
  console.log(`evaluated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(result.gate.accepted ? 'gate: ACCEPTED' : `gate: REFUSED: ${result.gate.reasons.join('; ')}`);
  if (values.report) {
    await writeFile(
      resolve(values.report),
      `${JSON.stringify({ scores: result.evaluation.scores, rule: result.rule, gate: result.gate }, null, 2)}\n`,
    );
  }
  process.exitCode = result.gate.accepted ? 0 : 3;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
