import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { currentDeployment, deploysVersion, recipeCarriesModel } from '../earlier-release.js';
import { renderFailureModelRecipe } from '../failure-model-recipe.js';
import { packageModel } from '../model-package.js';
import { modelFiles } from './model-files.js';

const recipePath = fileURLToPath(new URL('../../../../components/failure-model/recipe.yaml', import.meta.url));
const GROUP = 'arn:aws:iot:eu-west-1:123456789012:thinggroup/croupier-prod-cores-model';
const model = packageModel(modelFiles('2026.11.22'));
const other = packageModel(modelFiles('2026.11.29'));
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('recognising the model a stored FailureModel recipe carries', () => {
  let stored: Record<string, unknown>;
  type Artifact = Record<string, unknown>;
  const artifacts = (recipe: Record<string, unknown>) =>
    (recipe.Manifests as { Artifacts: Artifact[] }[])[0]!.Artifacts;

  beforeAll(async () => {
    const template = await readFile(recipePath, 'utf8');
    stored = renderFailureModelRecipe(template, {
      componentVersion: '1.4.0',
      bucket: 'artifacts-bucket',
      model,
    }).recipe;
  });

  it('GIVEN the recipe a release of this model registered THEN it carries the model, and no other', () => {
    expect(recipeCarriesModel(bytes(stored), model)).toBe(true);
    expect(recipeCarriesModel(bytes(stored), other)).toBe(false);
  });

  it('GIVEN the same recipe with keys spelled in another case THEN it still carries the model', () => {
    const respelled = {
      componentName: stored.ComponentName,
      manifests: [
        { artifacts: artifacts(stored).map((a) => ({ Uri: a.URI, digest: a.Digest, ALGORITHM: a.Algorithm })) },
      ],
    };
    expect(recipeCarriesModel(bytes(respelled), model)).toBe(true);
  });

  it('GIVEN only the card differs (same weights, another training run) THEN it is another model', () => {
    const sameWeights = packageModel({ ...modelFiles('2026.11.22'), card: modelFiles('2026.11.23').card });
    expect(sameWeights.artifacts[0].sha256Base64).toBe(model.artifacts[0].sha256Base64);
    expect(recipeCarriesModel(bytes(stored), sameWeights)).toBe(false);
  });

  it.each([
    ['not JSON', () => new TextEncoder().encode('ComponentName: com.croupier.FailureModel')],
    ['another component', () => bytes({ ...stored, ComponentName: 'com.croupier.Uplink' })],
    ['no digests', () => bytes(mapArtifacts((a) => ({ URI: a.URI })))],
    ['another algorithm', () => bytes(mapArtifacts((a) => ({ ...a, Algorithm: 'SHA-384' })))],
    ['an extra artifact', () => bytes(mapArtifacts((a) => a, [{ URI: 's3://b/extra.bin', Digest: 'x' }]))],
    ['a missing artifact', () => bytes({ ...stored, Manifests: [{ Artifacts: artifacts(stored).slice(0, 1) }] })],
    ['no manifests', () => bytes({ ...stored, Manifests: [] })],
  ])('GIVEN a recipe with %s THEN it carries no model', (_what, recipe) => {
    expect(recipeCarriesModel(recipe(), model)).toBe(false);
  });

  function mapArtifacts(f: (a: Artifact) => Artifact, extra: Artifact[] = []) {
    return { ...stored, Manifests: [{ Artifacts: [...artifacts(stored).map(f), ...extra] }] };
  }
});

describe("the model thing group's current deployment", () => {
  const at = (iso: string) => new Date(iso);

  it('GIVEN a summary marked latest for the group THEN that one, whatever the order', () => {
    const summaries = [
      { targetArn: GROUP, deploymentId: 'old', isLatestForTarget: false, creationTimestamp: at('2026-11-22T03:00Z') },
      { targetArn: GROUP, deploymentId: 'latest', isLatestForTarget: true, creationTimestamp: at('2026-11-01T00:00Z') },
    ];
    expect(currentDeployment(summaries, GROUP)?.deploymentId).toBe('latest');
  });

  it('GIVEN no mark THEN the newest; other targets and subdeployments never count', () => {
    const summaries = [
      { targetArn: GROUP, deploymentId: 'older', creationTimestamp: at('2026-11-20T00:00Z') },
      { targetArn: GROUP, deploymentId: 'newer', creationTimestamp: at('2026-11-21T00:00Z') },
      { targetArn: 'arn:aws:iot:eu-west-1:123456789012:thinggroup/other', deploymentId: 'x', isLatestForTarget: true },
      { targetArn: GROUP, parentTargetArn: GROUP, deploymentId: 'sub', isLatestForTarget: true },
    ];
    expect(currentDeployment(summaries, GROUP)?.deploymentId).toBe('newer');
    expect(currentDeployment(summaries.slice(2), GROUP)).toBeUndefined();
    expect(currentDeployment([], GROUP)).toBeUndefined();
  });

  it('GIVEN its components THEN it deploys a version only if it names that FailureModel version', () => {
    expect(deploysVersion({ 'com.croupier.FailureModel': { componentVersion: '1.4.0' } }, '1.4.0')).toBe(true);
    expect(deploysVersion({ 'com.croupier.FailureModel': { componentVersion: '1.3.0' } }, '1.4.0')).toBe(false);
    expect(deploysVersion({ 'com.croupier.FailurePredictor': { componentVersion: '1.4.0' } }, '1.4.0')).toBe(false);
    expect(deploysVersion(undefined, '1.4.0')).toBe(false);
  });
});
