import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  MODEL_CARD_FILE,
  MODEL_FILE,
  ModelCard,
} from '@croupier/failure-predictor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractCard, graphNamingFor, writeModelFiles } from '../src/model-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'croupier-model-files-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const details = {
  modelName: 'files-test',
  modelVersion: '2.3.4',
  createdAt: '2026-11-22T01:00:00.000Z',
  horizonHours: 12,
  opset: 15,
  thresholds: { raiseAt: 0.8, clearAt: 0.3 },
};

describe('model files under the FailurePredictor contract', () => {
  it('GIVEN card details THEN the card passes the contract with its feature set, window and tensors, keeping the details', () => {
    const card = contractCard(details);
    expect(ModelCard.parse(card)).toEqual(card);
    expect(card).toMatchObject({
      ...details,
      featureSetVersion: FEATURE_SET_VERSION,
      featureNames: [...FEATURE_NAMES],
    });
    expect(card.input.shape).toEqual(['N', FEATURE_NAMES.length]);
  });

  it('GIVEN a card THEN the graph is named after it: its tensors, opset and version', () => {
    const card = contractCard(details);
    expect(graphNamingFor(card, 'doc', { k: 'v' })).toEqual({
      inputName: card.input.name,
      outputName: card.output.name,
      opset: 15,
      producerVersion: '2.3.4',
      docString: 'doc',
      metadata: { k: 'v' },
    });
  });

  it('GIVEN a folder that does not exist yet WHEN the files are written THEN both stand side by side in it', async () => {
    const card = contractCard(details);
    const onnx = Uint8Array.from([1, 2, 3]);
    const target = join(dir, 'a', 'b');
    const paths = await writeModelFiles(target, onnx, card);
    expect(paths).toEqual({ modelPath: join(target, MODEL_FILE), cardPath: join(target, MODEL_CARD_FILE) });
    expect([...(await readFile(paths.modelPath))]).toEqual([1, 2, 3]);
    expect(JSON.parse(await readFile(paths.cardPath, 'utf8'))).toEqual(card);
  });
});
