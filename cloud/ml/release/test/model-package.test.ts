import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ModelPackageError, packageModel } from '../model-package.js';
import { modelFiles } from './model-files.js';

describe('packaging a trained model', () => {
  it('GIVEN a model and a card that follow the contract THEN both are packaged with their SHA-256 digests', () => {
    const files = modelFiles('2026.11.22');
    const pkg = packageModel(files);
    expect(pkg.card.modelVersion).toBe('2026.11.22');
    const [model, card] = pkg.artifacts;
    expect(model.name).toBe('failure-model.onnx');
    expect(card.name).toBe('model-card.json');
    const sha = createHash('sha256').update(files.model).digest();
    expect(model.sha256Hex).toBe(sha.toString('hex'));
    expect(model.sha256Base64).toBe(sha.toString('base64'));
    expect(card.bytes).toBe(files.card);
  });

  it.each([
    ['a card of another feature set', { featureSetVersion: 'shuffler-features/1' }, /built for shuffler-features\/1/],
    ['features in another order', { featureNames: ['jamsPerShuffle', 'misfeedsPerShuffle'] }, /built for/],
    ['another window', { window: { durationMs: 3_600_000, minReadings: 12 } }, /expects window/],
    ['a narrower input', { input: { name: 'features', dtype: 'float32', shape: ['N', 9] } }, /takes 9 features/],
    ['a card without a version', { modelVersion: undefined }, /modelVersion/],
  ])('GIVEN %s THEN it is refused', (_what, over, reason) => {
    expect(() => packageModel(modelFiles('1', over))).toThrow(reason);
  });

  it('GIVEN an empty model or a card that is not JSON THEN it is refused', () => {
    const files = modelFiles('1');
    expect(() => packageModel({ ...files, model: new Uint8Array() })).toThrow(ModelPackageError);
    expect(() => packageModel({ ...files, card: new TextEncoder().encode('{oops') })).toThrow(/not JSON/);
  });
});
