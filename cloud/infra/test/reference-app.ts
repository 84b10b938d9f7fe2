import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadEnvironmentConfig } from '../config/load.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { repoPath } from '../constructs/paths.js';
import { addCroupierStacks, type CroupierAppOptions, type CroupierStacks } from '../croupier-app.js';

/** The feature flags and context of `cloud/cdk.json`, so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(repoPath('cloud/cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** The reference environment with Timestream enabled, so every optional resource is synthesized. */
export function referenceConfig(): EnvironmentConfig {
  const dev = loadEnvironmentConfig('dev');
  return {
    ...dev,
    timestream: { enabled: true, databaseName: 'croupier-dev', memoryStoreHours: 24, magneticStoreDays: 365 },
  };
}

/**
 * A fresh app with the reference stacks. Bundling is skipped (`aws:cdk:bundling-stacks` empty):
 * these tests look at templates; the CLI test bundles for real.
 */
export function referenceApp(
  config: EnvironmentConfig = referenceConfig(),
  options: CroupierAppOptions = {},
): { app: App; stacks: CroupierStacks; config: EnvironmentConfig; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'croupier-cdk-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stacks = addCroupierStacks(app, config, {
    nag: false,
    ...options,
  });
  return { app, stacks, config, outdir };
}
