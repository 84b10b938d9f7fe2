/**
 * Slot floor simulator: `tsx simulators/src/slot/cli.ts <scenario.json>`. Connects one SMIB per
 * machine to the scenario's broker over mTLS and plays the floor at its time scale; Ctrl-C stops early
 * and still writes the ground truth.
 */
import { loadPlayerTokenKey, loadSlotScenario, ScenarioError } from './scenario.js';
import { runLiveScenario } from './scenario-runner.js';

async function main(argv: readonly string[]): Promise<number> {
  const [path] = argv;
  if (path === undefined || argv.length !== 1) {
    process.stderr.write('usage: tsx simulators/src/slot/cli.ts <scenario.json>\n');
    return 2;
  }
  const scenario = await loadSlotScenario(path);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const result = await runLiveScenario(scenario, await loadPlayerTokenKey(scenario), controller.signal);
  process.stdout.write(`${JSON.stringify({ ...result, groundTruth: scenario.live?.groundTruthPath })}\n`);
  return result.stats.failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ScenarioError ? e.message : (e as Error).stack}\n`);
    process.exit(1);
  },
);
