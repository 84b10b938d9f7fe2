import { describe, expect, it } from 'vitest';
import { chooseModelVersion, compareModelVersions, parseModelVersion } from '../src/model-versions.js';

const complete = (name: string, signature = `${name}-files`) => ({ name, signature });
const partial = (name: string) => ({ name, signature: undefined });
const none = { running: undefined, refused: new Map<string, string>() };

describe('FailureModel version selection', () => {
  it('GIVEN version folders THEN the newest by semantic version wins, not by name', () => {
    expect(chooseModelVersion([complete('1.9.0'), complete('1.10.0'), complete('1.2.0')], none)).toBe('1.10.0');
    expect(compareModelVersions('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareModelVersions('2.0.0', '2.0.0')).toBe(0);
  });

  it('GIVEN folders that are not versions (the baseline, a staging copy) THEN they are never chosen', () => {
    expect(chooseModelVersion([complete('artifacts'), complete('1.2.0.staging'), complete('v1.3.0')], none)).toBe(
      undefined,
    );
    expect(parseModelVersion('1.2.0-rc.1')).toBeUndefined();
    expect(parseModelVersion('01.2.0')).toBeUndefined();
    expect(parseModelVersion('1.2.3')).toEqual([1, 2, 3]);
  });

  it('GIVEN the newest version is still being downloaded THEN the newest complete one above the running one is chosen', () => {
    const state = { running: '1.0.0', refused: new Map<string, string>() };
    expect(chooseModelVersion([complete('1.0.0'), complete('1.1.0'), partial('1.2.0')], state)).toBe('1.1.0');
    expect(chooseModelVersion([complete('1.0.0'), partial('1.2.0')], state)).toBeUndefined();
  });

  it('GIVEN only versions at or below the running one THEN the running model stays', () => {
    const state = { running: '1.3.0', refused: new Map<string, string>() };
    expect(chooseModelVersion([complete('1.3.0'), complete('1.2.0'), complete('0.9.0')], state)).toBeUndefined();
  });

  it('GIVEN a model the predictor started with outside any version folder THEN every complete version is newer', () => {
    expect(chooseModelVersion([complete('0.1.0')], none)).toBe('0.1.0');
  });

  it('GIVEN a refused version THEN it is skipped while its files are unchanged and tried again once they change', () => {
    const refused = new Map([['1.2.0', 'first-download']]);
    const state = { running: '1.0.0', refused };
    expect(chooseModelVersion([complete('1.1.0'), complete('1.2.0', 'first-download')], state)).toBe('1.1.0');
    expect(chooseModelVersion([complete('1.2.0', 'first-download')], state)).toBeUndefined();
    expect(chooseModelVersion([complete('1.2.0', 'downloaded-again')], state)).toBe('1.2.0');
  });
});
