/** `gdk component build` for com.croupier.FailurePredictor (see gdk-config.json). */
import { fileURLToPath } from 'node:url';
import { buildComponent } from '@croupier/shuffler-monitor/greengrass-build';

await buildComponent({
  componentDir: fileURLToPath(new URL('..', import.meta.url)),
  entry: 'src/main.ts',
  artifactName: 'failure-predictor',
  // onnxruntime-node is a native addon with its shared library; aws-crt is the Greengrass IPC client's core.
  externals: ['onnxruntime-node', 'aws-crt'],
});
