import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every piece of local-cloud state lives under one folder (default `.croupier/` at the repository
 * root, git-ignored), so a reset is one `rm -rf` and nothing leaks into the work tree.
 */
export interface StateFolder {
  readonly root: string;
  /** kinesalite's LevelDB. */
  readonly kinesis: string;
  /** dynalite's LevelDB. */
  readonly dynamodb: string;
  /** The data lake (S3 bucket stand-in): `raw/`, `refined/`, `errors/`. */
  readonly lake: string;
  /** One JSON invocation record per discarded batch (Lambda on-failure destination stand-in). */
  readonly onFailure: string;
  /** Event-source-mapping checkpoints, so a restart resumes where processing stopped. */
  readonly checkpoints: string;
  /** Published SNS messages, one JSON object per line. */
  readonly snsLog: string;
  /** DuckDB database file holding the Timestream stand-in tables. */
  readonly timestreamDb: string;
}

/** Repository root, found from this file's location (cloud/local → repo). */
export function repositoryRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Default state folder: `<repo>/.croupier`. */
export function defaultStateRoot(): string {
  return join(repositoryRoot(), '.croupier');
}

/** The layout of a state folder rooted at `root`. Pure: creates nothing. */
export function stateFolder(root: string): StateFolder {
  const cloud = join(root, 'cloud');
  return {
    root,
    kinesis: join(cloud, 'kinesis'),
    dynamodb: join(cloud, 'dynamodb'),
    lake: join(root, 'lake'),
    onFailure: join(cloud, 'on-failure'),
    checkpoints: join(cloud, 'checkpoints'),
    snsLog: join(cloud, 'sns', 'messages.jsonl'),
    timestreamDb: join(cloud, 'timestream', 'timestream.duckdb'),
  };
}

/** Creates every folder of the layout. */
export async function ensureStateFolder(folder: StateFolder): Promise<void> {
  const dirs = [
    folder.kinesis,
    folder.dynamodb,
    folder.lake,
    folder.onFailure,
    folder.checkpoints,
    dirname(folder.snsLog),
    dirname(folder.timestreamDb),
  ];
  await Promise.all(dirs.map((dir) => mkdir(dir, { recursive: true })));
}

/**
 * Deletes the local cloud's state: emulator databases, checkpoints, records and the lake. Other
 * state in the folder (certificates, edge spools) belongs to other tools and is kept. Refuses a
 * folder outside `allowedParents` (the repository, the OS temp folder), because a mistyped
 * `CROUPIER_STATE_DIR` must never turn a reset into deleting someone's files.
 */
export async function resetStateFolder(folder: StateFolder, allowedParents: readonly string[]): Promise<void> {
  const root = resolve(folder.root);
  const inside = allowedParents.some((parent) => root.startsWith(`${resolve(parent)}/`));
  if (!inside) throw new Error(`refusing to delete ${root}: not inside ${allowedParents.join(' or ')}`);
  await rm(join(root, 'cloud'), { recursive: true, force: true });
  await rm(folder.lake, { recursive: true, force: true });
}
