import { applySimilarity, fitSimilarity, type SimilarityTransform } from './similarityTransform.js';
import type { FaceModel, SurfaceEmbedding } from '../../core/model/FaceModel.js';
import { choleskyFactor, choleskySolve } from '../../core/fit/cholesky.js';
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';

export interface ShapeFit {
  identity: Float64Array;
  expression: Float64Array;
  /** Maps the target points into the model's frame. */
  transform: SimilarityTransform;
}

export interface FitShapeOptions {
  /** Where each target point sits on the model. */
  embedding: SurfaceEmbedding;
  /** Per point weight (0 leaves a point out). */
  weights: ArrayLike<number>;
  /** Expected distance between a target point and the model, model units: weighs data against the coefficient priors. */
  pointStd: number;
  initial: SimilarityTransform;
  iterations: number;
  /** Fit expressions too (default); false keeps them at zero, so only identity explains the points. */
  expressions?: boolean;
}

/**
 * Deforms an unskinned model towards target points (e.g. MediaPipe's canonical face): alternately
 * a similarity taking the points into the model's frame, and the identity and expression
 * coefficients minimizing Σ w |model(p) − point|² / pointStd² + Σ (c / std)², with expressions
 * kept inside their bounds. Used to embed points on a surface that has the points' own shape.
 */
export function fitShapeToPoints(model: FaceModel, points: ArrayLike<number>, options: FitShapeOptions): ShapeFit {
  if (model.skeleton) throw new Error('fitShapeToPoints: unskinned models only');
  const evaluator = new FaceModelEvaluator(model);
  const basis = evaluator.embedded(options.embedding);
  const count = basis.count;
  const ni = model.identity.names.length, ne = model.expression.names.length, n = ni + ne;
  const column = (k: number) => (k < ni ? basis.identity.subarray(k * count * 3, (k + 1) * count * 3) : basis.expression.subarray((k - ni) * count * 3, (k - ni + 1) * count * 3));
  const columns = Array.from({ length: n }, (_, k) => column(k));
  const prior = Float64Array.from({ length: n }, (_, k) => 1 / (k < ni ? model.identity.std[k]! : model.expression.std[k - ni]!) ** 2);
  const fitExpressions = options.expressions !== false;
  const lower = Float64Array.from({ length: n }, (_, k) => (k < ni ? -Infinity : fitExpressions ? (model.expression.min?.[k - ni] ?? -Infinity) : 0));
  const upper = Float64Array.from({ length: n }, (_, k) => (k < ni ? Infinity : fitExpressions ? (model.expression.max?.[k - ni] ?? Infinity) : 0));
  const rowWeight = Float64Array.from({ length: count * 3 }, (_, r) => options.weights[Math.floor(r / 3)]! / options.pointStd ** 2);

  // The normal matrix does not depend on the targets: Bᵀ W B + prior.
  const normal = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      const ca = columns[a]!, cb = columns[b]!;
      for (let r = 0; r < count * 3; r++) s += rowWeight[r]! * ca[r]! * cb[r]!;
      normal[a * n + b] = normal[b * n + a] = s;
    }
    normal[a * n + a] += prior[a]!;
  }

  let transform = options.initial;
  let theta: Float64Array = new Float64Array(n);
  for (let it = 0; it < options.iterations; it++) {
    const targets = applySimilarity(transform, points);
    const rhs = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const c = columns[k]!;
      let s = 0;
      for (let r = 0; r < count * 3; r++) s += rowWeight[r]! * c[r]! * (targets[r]! - basis.base[r]!);
      rhs[k] = s;
    }
    theta = solveBoxed(normal, rhs, lower, upper);
    const shaped = evaluator.evaluate(basis, { identity: theta.subarray(0, ni), expression: theta.subarray(ni) });
    transform = fitSimilarity(points, shaped, options.weights);
  }
  return { identity: theta.slice(0, ni), expression: theta.slice(ni), transform };
}

/**
 * Minimizes ½xᵀAx − bᵀx within [lower, upper] by an active set that only grows: variables that
 * leave their box are pinned to the bound and the rest re-solved. Not exact in general, but the
 * expressions it pins here are the few a neutral target pushes below zero.
 */
function solveBoxed(a: Float64Array, b: Float64Array, lower: Float64Array, upper: Float64Array): Float64Array {
  const n = b.length;
  const pinned = new Map<number, number>();
  for (;;) {
    const free = Array.from({ length: n }, (_, k) => k).filter((k) => !pinned.has(k));
    const m = free.length;
    const sub = new Float64Array(m * m);
    const rhs = new Float64Array(m);
    free.forEach((i, r) => {
      rhs[r] = b[i]!;
      for (const [k, v] of pinned) rhs[r] -= a[i * n + k]! * v;
      free.forEach((j, c) => (sub[r * m + c] = a[i * n + j]!));
    });
    solveSpd(sub, m, rhs);
    let violated = false;
    free.forEach((k, r) => {
      const v = rhs[r]!;
      if (v < lower[k]! || v > upper[k]!) {
        pinned.set(k, v < lower[k]! ? lower[k]! : upper[k]!);
        violated = true;
      }
    });
    if (!violated) {
      const x = new Float64Array(n);
      free.forEach((k, r) => (x[k] = rhs[r]!));
      for (const [k, v] of pinned) x[k] = v;
      return x;
    }
  }
}

/** Solves the symmetric positive definite system A·x = b in place (b becomes x). */
function solveSpd(a: Float64Array, n: number, b: Float64Array): void {
  if (!choleskyFactor(a, n)) throw new Error('fitShapeToPoints: normal equations are not positive definite');
  choleskySolve(a, n, b);
}
