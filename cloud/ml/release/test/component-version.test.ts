import { describe, expect, it } from 'vitest';
import { newestComponentVersion, nextComponentVersion, parseVersion } from '../component-version.js';

describe('the next FailureModel version', () => {
  it('GIVEN no versions WHEN a model ships THEN it is MAJOR.0.0', () => {
    expect(nextComponentVersion([], 1)).toBe('1.0.0');
  });

  it('GIVEN versions of the major WHEN a model ships THEN it is the next minor of the highest, compared numerically', () => {
    expect(nextComponentVersion(['1.0.0', '1.9.3', '1.10.0', '1.2.0'], 1)).toBe('1.11.0');
  });

  it('GIVEN versions of other majors and non-semver versions WHEN a model ships THEN they are ignored', () => {
    expect(nextComponentVersion(['2.4.0', '0.9.0', '1.3.0-rc.1', 'latest', '1.1.7'], 1)).toBe('1.2.0');
  });

  it('parses strict MAJOR.MINOR.PATCH only', () => {
    expect(parseVersion('1.20.3')).toEqual({ major: 1, minor: 20, patch: 3 });
    for (const bad of ['1.2', '01.2.3', '1.2.3-beta', 'v1.2.3', '1.2.3.4']) expect(parseVersion(bad)).toBeUndefined();
  });
});

describe('the newest FailureModel version', () => {
  it('GIVEN versions of several majors THEN the highest of the configured major, compared numerically', () => {
    expect(newestComponentVersion(['1.9.0', '2.0.0', '1.10.0', '1.3.0-rc.1', 'latest'], 1)).toBe('1.10.0');
  });

  it('GIVEN no version of the major THEN there is none', () => {
    expect(newestComponentVersion(['2.0.0', '0.4.0'], 1)).toBeUndefined();
  });
});
