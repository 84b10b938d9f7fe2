/**
 * Slot history generator: `tsx simulators/src/history/slot-cli.ts <scenario.json>`. Writes the
 * scenario's `history` window of slot play into the lake layout under `history.outDir`.
 */
import { createSlotFloorModel } from '../slot/floor-simulation.js';
import { loadPlayerTokenKey, loadSlotScenario, ScenarioError } from '../slot/scenario.js';
import { generateSlotHistory } from './slot-history.js';

async function main(argv: readonly string[]): Promise<number> {
  const [path] = argv;
  if (path === undefined || argv.length !== 1) {
    process.stderr.write('usage: tsx simulators/src/history/slot-cli.ts <scenario.json>\n');
    return 2;
  }
  const scenario = await loadSlotScenario(path);
  const history = scenario.history;
  if (history === undefined) throw new ScenarioError(`${path}: the scenario has no "history" section`);
  const key = await loadPlayerTokenKey(scenario);
  const started = Date.now();
  const result = await generateSlotHistory({
    model: createSlotFloorModel(scenario, key),
    playerTokenKey: key,
    startMs: history.start,
    endMs: history.start + history.days * 86_400_000,
    outDir: history.outDir,
    writer: history.writer,
    maxEventsPerFile: history.maxEventsPerFile,
    duplicateShare: history.duplicateShare,
    ...(history.groundTruthPath === undefined ? {} : { groundTruthPath: history.groundTruthPath }),
  });
  process.stdout.write(
    `${JSON.stringify({
      outDir: history.outDir,
      objects: result.objects,
      events: result.events,
      duplicates: result.duplicates,
      sessions: result.truth.sessions.length,
      seconds: (Date.now() - started) / 1000,
    })}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ScenarioError ? e.message : (e as Error).stack}\n`);
    process.exit(1);
  },
);
