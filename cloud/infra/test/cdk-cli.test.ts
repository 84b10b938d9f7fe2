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

/** Lambda functions of the synthesized stacks: their code asset directory and literal environment variables. */
function lambdaFunctions(dir: string): { asset: string; environment: Record<string, string> }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .flatMap((f) => {
      const template = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        Resources: Record<
          string,
          { Type: string; Metadata?: Record<string, unknown>; Properties: Record<string, unknown> }
        >;
      };
      return Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function' && typeof r.Metadata?.['aws:asset:path'] === 'string')
        .map((r) => {
          const variables =
            (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
          return {
            asset: r.Metadata?.['aws:asset:path'] as string,
            environment: Object.fromEntries(
              Object.entries(variables).filter((e): e is [string, string] => typeof e[1] === 'string'),
            ),
          };
        });
    });
}

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
    // NodejsFunction bundled every handler locally with esbuild into an ESM entry.
    const functions = lambdaFunctions(outdir);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(existsSync(join(outdir, fn.asset, 'index.mjs')), fn.asset).toBe(true);
    // The release function carries the repository's FailureModel recipe beside its handler.
    const release = functions.filter((fn) => fn.environment.RELEASE_DEPLOYMENT_NAME);
    expect(release).toHaveLength(1);
    expect(readFileSync(join(outdir, release[0]!.asset, 'failure-model.recipe.yaml'), 'utf8')).toBe(
      readFileSync(repoPath('components/failure-model/recipe.yaml'), 'utf8'),
    );
    // Each bundle loads as ESM on this Node, with its function's literal environment, and exports
    // the handler Lambda will call.
    for (const fn of functions) {
      const saved = { ...process.env };
      Object.assign(process.env, fn.environment);
      try {
        const module = (await import(pathToFileURL(join(outdir, fn.asset, 'index.mjs')).href)) as { handler?: unknown };
        expect(typeof module.handler, fn.asset).toBe('function');
      } finally {
        for (const key of Object.keys(fn.environment)) if (!(key in saved)) delete process.env[key];
      }
    }
    expect(stderr).not.toMatch(/AwsSolutions-/);
  }, 300_000);
});
