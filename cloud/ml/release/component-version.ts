/** A Greengrass component version: strict `MAJOR.MINOR.PATCH` semver (no pre-release or build). */
const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

/** The three numbers of a component version. */
export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Parses `MAJOR.MINOR.PATCH`; undefined for anything else (pre-releases included). */
export function parseVersion(text: string): SemanticVersion | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

const compare = (a: SemanticVersion, b: SemanticVersion) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

/**
 * The highest existing version with `major`, or undefined when there is none. Versions that are not
 * strict semver, or of another major, are ignored.
 */
export function newestComponentVersion(existing: Iterable<string>, major: number): string | undefined {
  let newest: { text: string; version: SemanticVersion } | undefined;
  for (const text of existing) {
    const version = parseVersion(text);
    if (version?.major !== major) continue;
    if (!newest || compare(version, newest.version) > 0) newest = { text, version };
  }
  return newest?.text;
}

/**
 * The version a new model ships as: the next minor of the highest existing version with `major`, or
 * `major.0.0` when there is none. A model is a compatible change of FailureModel (same contract, new
 * weights), hence a minor; the major is pinned by configuration because FailurePredictor's dependency
 * range names it. Versions that are not strict semver, or of another major, are ignored.
 */
export function nextComponentVersion(existing: Iterable<string>, major: number): string {
  const newest = newestComponentVersion(existing, major);
  return newest ? `${major}.${parseVersion(newest)!.minor + 1}.0` : `${major}.0.0`;
}
