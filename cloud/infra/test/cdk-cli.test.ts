import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from '../constructs/paths.js';
import { FLOOR_API_HANDLER } from '../croupier-app.js';

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), 'croupier-cdk-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk synth with the pinned CLI', () => {
  it('GIVEN no network and no AWS credentials WHEN `npx cdk synth` runs THEN every stack synthesizes, bundled, with cdk-nag passing', async () => {
    const env = {
      ...process.env,
      // Offline: no version check, no notices, no telemetry, and no credentials to find.
      CDK_DISABLE_VERSION_CHECK: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    };
    const { stderr } = await run(
      'npx',
      ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', outdir, '-c', 'env=dev'],
      { cwd: repoPath('cloud'), env, maxBuffer: 32 * 1024 * 1024, timeout: 280_000 },
    );

    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([name]) => name)
      .sort();
    expect(stacks).toEqual(
      [
        'Alerts',
        'Edge',
        'Ingest',
        'Ml',
        'Observability',
        'Processing',
        'Storage',
        ...(FLOOR_API_HANDLER ? ['FloorApi'] : []),
      ]
        .map((s) => `Croupier-dev-${s}`)
        .sort(),
    );
    // NodejsFunction bundled the handlers locally with esbuild: each asset holds an ESM entry.
    const bundles = readdirSync(outdir).filter(
      (d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'index.mjs')),
    );
    expect(bundles.length).toBeGreaterThan(0);
    // Each bundle loads as ESM on this Node and exports the handler Lambda will call.
    for (const bundle of bundles) {
      const module = (await import(pathToFileURL(join(outdir, bundle, 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof module.handler, bundle).toBe('function');
    }
    expect(stderr).not.toMatch(/AwsSolutions-/);
  }, 300_000);
});
