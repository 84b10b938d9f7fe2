import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderFailureModelRecipe } from '../failure-model-recipe.js';
import { packageModel } from '../model-package.js';
import { modelFiles } from './model-files.js';

const recipePath = fileURLToPath(new URL('../../../../components/failure-model/recipe.yaml', import.meta.url));
const model = packageModel(modelFiles('7'));
const options = { componentVersion: '1.3.0', bucket: 'artifacts-eu-west-1-123456789012', model };

describe('rendering the FailureModel recipe for a new version', () => {
  it('GIVEN the repository recipe THEN only version, URIs and digests change', async () => {
    const text = await readFile(recipePath, 'utf8');
    const rendered = renderFailureModelRecipe(text, options);
    expect(rendered.artifactUris).toEqual([
      's3://artifacts-eu-west-1-123456789012/com.croupier.FailureModel/1.3.0/failure-model.onnx',
      's3://artifacts-eu-west-1-123456789012/com.croupier.FailureModel/1.3.0/model-card.json',
    ]);
    expect(JSON.parse(new TextDecoder().decode(rendered.inlineRecipe))).toEqual(rendered.recipe);
    // The template itself is not modified: rendering twice gives the same recipe.
    expect(renderFailureModelRecipe(text, options).recipe).toEqual(rendered.recipe);
  });

  const recipe = (over: Record<string, unknown>) =>
    stringify({
      RecipeFormatVersion: '2020-01-25',
      ComponentName: 'com.croupier.FailureModel',
      ComponentVersion: '1.0.0',
      Manifests: [
        {
          Platform: { os: 'linux' },
          Artifacts: [
            { URI: 's3://BUCKET_NAME/COMPONENT_NAME/COMPONENT_VERSION/failure-model.onnx' },
            { URI: 's3://BUCKET_NAME/COMPONENT_NAME/COMPONENT_VERSION/model-card.json' },
          ],
        },
      ],
      ...over,
    });

  it.each([
    ['another component', { ComponentName: 'com.croupier.Uplink' }, /for com\.croupier\.Uplink/],
    ['no manifests', { Manifests: [] }, /no Manifests/],
    [
      'an artifact the package lacks',
      { Manifests: [{ Artifacts: [{ URI: 's3://BUCKET_NAME/COMPONENT_NAME/COMPONENT_VERSION/weights.bin' }] }] },
      /names artifact weights\.bin/,
    ],
    [
      'a manifest missing the card',
      { Manifests: [{ Artifacts: [{ URI: 's3://BUCKET_NAME/COMPONENT_NAME/COMPONENT_VERSION/failure-model.onnx' }] }] },
      /lacks artifacts model-card\.json/,
    ],
    [
      'a URI outside the GDK layout',
      { Manifests: [{ Artifacts: [{ URI: 's3://other/failure-model.onnx' }] }] },
      /does not follow/,
    ],
  ])('GIVEN a template with %s THEN it is refused', (_what, over, reason) => {
    expect(() => renderFailureModelRecipe(recipe(over), options)).toThrow(reason);
  });
});
