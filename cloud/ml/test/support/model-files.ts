import { contractCard, graphNamingFor, linearModelToOnnx, writeModelFiles } from '@croupier/failure-model';
import { FEATURE_NAMES } from '@croupier/failure-predictor';

/** Writes a real ONNX logistic model with chosen weights (by feature name) and a contract card into `dir`. */
export async function writeLinearModel(
  dir: string,
  modelVersion: string,
  weightsByName: Readonly<Record<string, number>>,
  bias: number,
): Promise<string> {
  const card = contractCard({
    modelName: 'test-linear',
    modelVersion,
    createdAt: new Date().toISOString(),
    horizonHours: 24,
    opset: 13,
  });
  const weights = FEATURE_NAMES.map((n) => weightsByName[n] ?? 0);
  await writeModelFiles(dir, linearModelToOnnx({ weights, bias }, graphNamingFor(card, 'test model')), card);
  return dir;
}
