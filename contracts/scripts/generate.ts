/** Regenerates contracts/generated and contracts/docs from the schemas: `npm run generate -w contracts`. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderArtifacts } from '../tooling/render-artifacts.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await rm(join(root, 'generated'), { recursive: true, force: true });
const files = renderArtifacts();
for (const [path, content] of files) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}
console.log(`wrote ${files.size} files under contracts/`);
