/**
 * `gdk component build` (custom build system) for com.croupier.SlotGateway: the esbuild bundle plus the
 * AWS CRT addon the Greengrass IPC client needs, into greengrass-build/. Optional argument: output folder.
 */
import { fileURLToPath } from 'node:url';
import { awsCrtNativeArtifacts, buildComponent } from '@croupier/edge-kit/build';

const result = await buildComponent({
  componentDirectory: fileURLToPath(new URL('..', import.meta.url)),
  native: awsCrtNativeArtifacts(),
  ...(process.argv[2] ? { outDirectory: process.argv[2] } : {}),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
