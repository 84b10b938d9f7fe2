/** `gdk component build` for com.croupier.ShufflerMonitor (see gdk-config.json). */
import { fileURLToPath } from 'node:url';
import { buildComponent } from './greengrass-build.js';

await buildComponent({
  componentDir: fileURLToPath(new URL('..', import.meta.url)),
  entry: 'src/main.ts',
  artifactName: 'shuffler-monitor',
  // serialport loads its native binding; aws-crt is the native core of the Greengrass IPC client.
  externals: ['serialport', 'aws-crt'],
});
