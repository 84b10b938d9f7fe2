import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Repository root: the directory holding `package-lock.json`, which NodejsFunction bundles against. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of a file given relative to the repository root. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(relative, `file://${REPO_ROOT}`));
}

/** Lambda handler entry file under `cloud/src/handlers/`; throws when it does not exist, naming the file. */
export function handlerEntry(file: string): string {
  const path = repoPath(`cloud/src/handlers/${file}`);
  if (!existsSync(path)) throw new Error(`Lambda handler ${path} does not exist`);
  return path;
}
