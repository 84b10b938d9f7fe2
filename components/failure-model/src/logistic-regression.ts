import type { LinearModel } from './linear-model-onnx.js';

/** Training options for {@link fitLogisticRegression}. */
export interface FitOptions {
  /** L2 penalty on the standardised weights (not the bias). */
  readonly l2: number;
  /** Newton iterations at most; it stops earlier once the step is below `tolerance`. */
  readonly maxIterations: number;
  readonly tolerance: number;
  /** Weight of each positive sample relative to a negative one (failures are rare). */
  readonly positiveWeight: number;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]!;
    if (Math.abs(p) < 1e-12) throw new Error('singular system: features are collinear');
    for (let r = 0; r < n; r += 1) {
      if (r === col) continue;
      const f = m[r]![col]! / p;
      for (let c = col; c <= n; c += 1) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Fits a weighted, L2-regularised logistic regression by Newton's method (IRLS) on standardised
 * features, then folds the standardisation back into the weights, so the returned model takes raw
 * features as the ONNX graph does. Deterministic: the same data always gives the same model.
 */
export function fitLogisticRegression(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: FitOptions,
): LinearModel {
  const n = x.length;
  const width = x[0]?.length ?? 0;
  if (n === 0 || width === 0) throw new Error('no training data');
  const mean = Array.from({ length: width }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
  const std = mean.map((m, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n) || 1);
  const z = x.map((r) => [1, ...r.map((v, j) => (v - mean[j]!) / std[j]!)]);
  const dims = width + 1;
  let beta = new Array<number>(dims).fill(0);
  for (let iteration = 0; iteration < options.maxIterations; iteration += 1) {
    const gradient = new Array<number>(dims).fill(0);
    const hessian = Array.from({ length: dims }, () => new Array<number>(dims).fill(0));
    for (let i = 0; i < n; i += 1) {
      const row = z[i]!;
      const p = sigmoid(row.reduce((s, v, j) => s + v * beta[j]!, 0));
      const w = y[i] === 1 ? options.positiveWeight : 1;
      const residual = w * (y[i]! - p);
      const curvature = w * p * (1 - p);
      for (let a = 0; a < dims; a += 1) {
        gradient[a]! += residual * row[a]!;
        for (let b = a; b < dims; b += 1) hessian[a]![b]! += curvature * row[a]! * row[b]!;
      }
    }
    for (let a = 0; a < dims; a += 1) {
      for (let b = 0; b < a; b += 1) hessian[a]![b] = hessian[b]![a]!;
      if (a > 0) {
        gradient[a]! -= options.l2 * beta[a]!;
        hessian[a]![a]! += options.l2;
      }
    }
    const step = solve(hessian, gradient);
    beta = beta.map((b, j) => b + step[j]!);
    if (Math.max(...step.map(Math.abs)) < options.tolerance) break;
  }
  const weights = beta.slice(1).map((b, j) => b / std[j]!);
  const bias = beta[0]! - weights.reduce((s, w, j) => s + w * mean[j]!, 0);
  return { weights, bias };
}

/** p = sigmoid(x · w + b), in float64: the reference the ONNX graph is checked against. */
export function predictLinear(model: LinearModel, row: readonly number[]): number {
  return sigmoid(row.reduce((s, v, j) => s + v * model.weights[j]!, model.bias));
}
