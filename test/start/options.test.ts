import { describe, expect, it } from 'vitest';
import { parseStartOptions } from '../../scripts/start/options.js';

const defaults = { repositoryRoot: '/repo', stateDir: '/repo/.croupier' };

describe('GIVEN the start command line', () => {
  it('WHEN no option is given THEN the demo scenario and the repository state folder are used', () => {
    const options = parseStartOptions([], {}, defaults);
    expect(options).toMatchObject({
      help: false,
      scenario: '/repo/simulators/scenarios/shuffler-floor-demo.json',
      stateDir: '/repo/.croupier',
      core: 'floor-core-1',
      ephemeralPorts: false,
    });
    expect(options.slotScenario).toBe('/repo/simulators/scenarios/slot-demo-live.json');
    expect(options.machines).toBeUndefined();
    expect(options.shufflers).toBeUndefined();
    expect(options.property).toBeUndefined();
  });

  it('WHEN paths are relative THEN they are taken from where the user stood (INIT_CWD)', () => {
    const options = parseStartOptions(
      ['--scenario', 'my.json', '--state-dir', 'floor'],
      { INIT_CWD: '/home/me' },
      defaults,
    );
    expect(options.scenario).toBe('/home/me/my.json');
    expect(options.stateDir).toBe('/home/me/floor');
  });

  it('WHEN CROUPIER_STATE_DIR is set THEN it is the default state folder, and --state-dir still wins', () => {
    expect(parseStartOptions([], { CROUPIER_STATE_DIR: '/var/floor' }, defaults).stateDir).toBe('/var/floor');
    expect(parseStartOptions(['--state-dir', '/tmp/x'], { CROUPIER_STATE_DIR: '/var/floor' }, defaults).stateDir).toBe(
      '/tmp/x',
    );
  });

  it('WHEN numbers and a seed are given THEN they are typed; a numeric seed is a number, any other a string', () => {
    const options = parseStartOptions(
      ['--shufflers', '12', '--time-scale', '0.5', '--seed', '7', '--ephemeral-ports'],
      {},
      defaults,
    );
    expect(options).toMatchObject({ shufflers: 12, timeScale: 0.5, seed: 7, ephemeralPorts: true });
    expect(parseStartOptions(['--seed', 'friday-night'], {}, defaults).seed).toBe('friday-night');
  });

  it.each([
    [['--shufflers', '0'], '--shufflers must be above 0'],
    [['--shufflers', '2.5'], '--shufflers must be a whole number'],
    [['--time-scale', 'fast'], '--time-scale must be a number'],
    [['--machines=-1'], '--machines must be 0 or more'],
    [['--machines', '1.5'], '--machines must be a whole number'],
    [['--core', 'a/b'], 'core'],
  ])('WHEN %j THEN it is refused with a message naming it', (argv, message) => {
    expect(() => parseStartOptions(argv, {}, defaults)).toThrow(message);
  });

  it('WHEN a slot floor size and scenario are given THEN --machines is a count (0: no slot floor) and the path is resolved', () => {
    const options = parseStartOptions(
      ['--machines', '0', '--slot-scenario', 'slots.json'],
      { INIT_CWD: '/home/me' },
      defaults,
    );
    expect(options).toMatchObject({ machines: 0, slotScenario: '/home/me/slots.json' });
  });

  it('WHEN an unknown option is given THEN it is refused', () => {
    expect(() => parseStartOptions(['--floor-size', '3'], {}, defaults)).toThrow(/Unknown option '--floor-size'/);
  });
});
