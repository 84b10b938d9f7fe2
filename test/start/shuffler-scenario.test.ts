import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scripts/start/shuffler-floor.js';

const demo = fileURLToPath(new URL('../../simulators/scenarios/shuffler-floor-demo.json', import.meta.url));

describe('GIVEN the demo shuffler scenario and command-line overrides', () => {
  it('WHEN nothing is overridden THEN the scenario is used as written, served on TCP only', async () => {
    const scenario = await loadScenario(demo, {});
    expect(scenario.fleet.size).toBe(8);
    expect(scenario.seed).toBe(42);
    expect(scenario.live.timeScale).toBe(60);
    expect(scenario.live.tcp).toEqual({ host: '127.0.0.1', port: 5020 });
    expect(scenario.live.serial).toEqual([]);
    expect(scenario.live.faults.map((f) => f.unitId)).toEqual([3, 5, 6, 7]);
  });

  it('WHEN the floor shrinks THEN faults of units it no longer has are dropped', async () => {
    const scenario = await loadScenario(demo, { shufflers: 5, seed: 'x', timeScale: 600, port: 0 });
    expect(scenario.fleet.size).toBe(5);
    expect(scenario.seed).toBe('x');
    expect(scenario.live.timeScale).toBe(600);
    expect(scenario.live.tcp).toEqual({ host: '127.0.0.1', port: 0 });
    expect(scenario.live.faults.map((f) => f.unitId)).toEqual([3, 5]);
  });

  it('WHEN an override breaks the scenario THEN the error names the file and the field', async () => {
    await expect(loadScenario(demo, { shufflers: 300 })).rejects.toThrow(
      /invalid scenario .*shuffler-floor-demo\.json.*size/s,
    );
  });

  it('WHEN the file is missing THEN the error names it', async () => {
    await expect(loadScenario('/nonexistent/scenario.json', {})).rejects.toThrow(
      'cannot read scenario /nonexistent/scenario.json',
    );
  });
});
