/**
 * @packageDocumentation
 * Build support for `gdk component build` (custom build system): bundle plus native addons.
 */
export {
  awsCrtNativeArtifacts,
  type BuildComponentOptions,
  type BuildResult,
  buildComponent,
  type NativeArtifact,
} from './build-component.js';
