/**
 * Which FailureModel version the predictor should run, decided from a listing of the FailureModel
 * artifacts root (`…/packages/artifacts/com.croupier.FailureModel/`, one folder per version) alone:
 * no I/O here, so the rule is tested on its own.
 */

/** A FailureModel component version: strict `MAJOR.MINOR.PATCH`, as Greengrass component versions are here. */
const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

/** The three numbers of a version folder's name; undefined for anything else (`artifacts`, `1.2.0.staging`). */
export function parseModelVersion(name: string): readonly [number, number, number] | undefined {
  const match = SEMVER.exec(name);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b` (both valid versions). */
export function compareModelVersions(a: string, b: string): number {
  const [x, y] = [parseModelVersion(a), parseModelVersion(b)];
  if (!x || !y) throw new Error(`not a component version: ${x ? b : a}`);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** One entry of the artifacts root, as the follower saw it. */
export interface VersionFolder {
  /** The folder's name: the component version. */
  readonly name: string;
  /**
   * Size and modification time of both files (`failure-model.onnx`, `model-card.json`), or undefined
   * while either is missing: a version Greengrass is still downloading.
   */
  readonly signature: string | undefined;
}

/** What the predictor already knows when it picks. */
export interface SelectionState {
  /** The version it runs, when the running model came from a version folder. */
  readonly running: string | undefined;
  /** Versions it refused, with the signature of the files it refused: changed files get another try. */
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * The version to switch to: the newest version folder above the running one whose two files are
 * both present and that was not refused as it now stands; undefined when the running model should
 * stay. A model from a folder that is not a version (the local floor's baseline) is older than any
 * version. Newest by semantic version, never by name or time, so `1.10.0` follows `1.9.0`.
 */
export function chooseModelVersion(listing: readonly VersionFolder[], state: SelectionState): string | undefined {
  let best: string | undefined;
  for (const folder of listing) {
    if (!parseModelVersion(folder.name) || folder.signature === undefined) continue;
    if (state.refused.get(folder.name) === folder.signature) continue;
    if (state.running !== undefined && compareModelVersions(folder.name, state.running) <= 0) continue;
    if (best === undefined || compareModelVersions(folder.name, best) > 0) best = folder.name;
  }
  return best;
}
