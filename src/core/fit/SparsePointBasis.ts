import type { BlendshapeGroup } from '../model/FaceModel.js';
import type { PointBasis } from '../model/PointBasis.js';
import type { NormalEquations } from './NormalEquations.js';

/**
 * A point basis laid out for the per-frame fit: identity folded into the base (identity changes
 * rarely), expression deltas as per-point sparse lists (each blendshape moves a local region,
 * so a point sees only a few), identity and pose-corrective deltas per point for the occasional
 * identity update and for skinned models.
 *
 * The same layout serves positions and (unnormalized) vertex normals.
 */
export class SparsePointBasis {
  readonly count: number;
  readonly identityCount: number;
  /** [count][3] template + identity · β, folded lazily per point (see `prepare`). */
  readonly base: Float64Array;
  /** [count][3] the template (identity zero). */
  private readonly template: Float32Array;
  /** [count][identityCount][3], point-major so one point's columns are contiguous. */
  readonly identity: Float32Array;
  /** CSR over points: entries `expressionStart[p] .. expressionStart[p+1]`. */
  readonly expressionStart: Int32Array;
  readonly expressionIndex: Uint16Array;
  /**
   * [entries][3]. Single precision (the model's own) and 16-bit indices: the dense terms run
   * over a few MB of entries several times a frame, and half the bytes keep them in cache.
   */
  readonly expressionDelta: Float32Array;
  /**
   * Per entry, 1 when it enters the Gauss-Newton matrix. The matrix only steers the steps (the
   * energy and gradient take every entry), and a point's small deltas barely change it while
   * costing most of it (its cost grows with the square of the entries).
   */
  readonly expressionInHessian: Uint8Array;
  /** [count][poseCount][3] pose-corrective deltas (skinned models), point-major. */
  readonly pose?: Float32Array;
  readonly poseCount: number;
  /** [count][jointCount] skin weights (skinned models). */
  readonly skinWeights?: Float32Array;

  /** [count][3] base + expression deltas at the expression last set, per point as `shape` computes it. */
  readonly shaped: Float64Array;

  private readonly identityCoefficients: Float64Array;
  private identityVersion = 0;
  private readonly foldedVersion: Int32Array;
  private readonly expression: Float64Array;
  /** Bumped when identity or expression changes; a point's shape is current when its version matches. */
  private shapeVersion = 1;
  private readonly shapedVersion: Int32Array;

  /**
   * With `scale` per expression the largest coefficient magnitude expected (1 for ARKit
   * weights), a delta is dropped when |delta| · scale < `dropBelow` (model units), and left out
   * of the Gauss-Newton matrix when below `hessianBelow`.
   */
  constructor(basis: PointBasis, expression: BlendshapeGroup, identityCount: number, dropBelow: number, hessianBelow = dropBelow) {
    const n = basis.count;
    this.count = n;
    this.identityCount = identityCount;
    this.template = basis.base;
    this.base = Float64Array.from(basis.base);
    this.identity = pointMajor(basis.identity, identityCount, n);
    this.identityCoefficients = new Float64Array(identityCount);
    this.foldedVersion = new Int32Array(n);
    this.shaped = new Float64Array(3 * n);
    this.shapedVersion = new Int32Array(n);
    this.expression = new Float64Array(expression.names.length);

    const expressionCount = expression.names.length;
    const scale = expressionScales(expression);
    const start = new Int32Array(n + 1);
    const index: number[] = [];
    const delta: number[] = [];
    const inHessian: number[] = [];
    for (let p = 0; p < n; p++) {
      start[p] = index.length;
      for (let e = 0; e < expressionCount; e++) {
        const o = (e * n + p) * 3;
        const dx = basis.expression[o]!, dy = basis.expression[o + 1]!, dz = basis.expression[o + 2]!;
        const size = Math.hypot(dx, dy, dz) * scale[e]!;
        if (size < dropBelow) continue;
        index.push(e);
        delta.push(dx, dy, dz);
        inHessian.push(size >= hessianBelow ? 1 : 0);
      }
    }
    start[n] = index.length;
    this.expressionStart = start;
    if (expressionCount > 0xffff) throw new Error(`SparsePointBasis: ${expressionCount} expressions, at most 65535`);
    this.expressionIndex = Uint16Array.from(index);
    this.expressionDelta = Float32Array.from(delta);
    this.expressionInHessian = Uint8Array.from(inHessian);

    this.poseCount = basis.pose ? basis.pose.length / (3 * n) : 0;
    if (basis.pose) this.pose = pointMajor(basis.pose, this.poseCount, n);
    if (basis.skinWeights) this.skinWeights = basis.skinWeights;
  }

  /** Sets the identity coefficients; points fold them into `base` when next prepared. */
  setIdentity(beta: ArrayLike<number>): void {
    for (let k = 0; k < this.identityCount; k++) this.identityCoefficients[k] = beta[k] ?? 0;
    this.identityVersion++;
    this.shapeVersion++;
  }

  /** Replaces the base ([count][3]) for the current identity, for bases that are not linear in it (normals). */
  overrideBase(base: ArrayLike<number>): void {
    this.base.set(base);
    this.foldedVersion.fill(this.identityVersion);
    this.shapeVersion++;
  }

  /**
   * The expression that `shape` applies. Shapes are kept while it stays the same: a frame's
   * dense selection, landmark robust scale and first evaluation all see the warm start, which
   * is the last frame's solution, and most of the last evaluation's shapes are still good.
   */
  setExpression(expression: ArrayLike<number>): void {
    const last = this.expression;
    for (let e = 0; e < last.length; e++) {
      if (last[e] !== expression[e]) {
        for (let k = e; k < last.length; k++) last[k] = expression[k]!;
        this.shapeVersion++;
        return;
      }
    }
  }

  /** Point p's base plus expression deltas (at the expression set), into `shaped` at 3p; returns 3p. */
  shape(p: number): number {
    const o = 3 * p;
    if (this.shapedVersion[p] === this.shapeVersion) return o;
    this.shapedVersion[p] = this.shapeVersion;
    if (this.foldedVersion[p] !== this.identityVersion) this.prepare(p);
    const expression = this.expression, index = this.expressionIndex, delta = this.expressionDelta, base = this.base;
    let x = base[o]!, y = base[o + 1]!, z = base[o + 2]!;
    for (let k = this.expressionStart[p]!, end = this.expressionStart[p + 1]!; k < end; k++) {
      const c = expression[index[k]!]!;
      if (c === 0) continue;
      x += c * delta[3 * k]!;
      y += c * delta[3 * k + 1]!;
      z += c * delta[3 * k + 2]!;
    }
    this.shaped[o] = x;
    this.shaped[o + 1] = y;
    this.shaped[o + 2] = z;
    return o;
  }

  /** Folds the current identity into the base of every point. */
  prepareAll(): void {
    for (let p = 0; p < this.count; p++) this.prepare(p);
  }

  /** Folds the current identity into point p's base if it changed since (lazy: the fitting region is large, a frame uses a part). */
  prepare(p: number): void {
    if (this.foldedVersion[p] === this.identityVersion) return;
    this.foldedVersion[p] = this.identityVersion;
    let x = this.template[3 * p]!, y = this.template[3 * p + 1]!, z = this.template[3 * p + 2]!;
    const o = p * this.identityCount * 3;
    for (let k = 0; k < this.identityCount; k++) {
      const c = this.identityCoefficients[k]!;
      if (c === 0) continue;
      x += c * this.identity[o + 3 * k]!;
      y += c * this.identity[o + 3 * k + 1]!;
      z += c * this.identity[o + 3 * k + 2]!;
    }
    this.base[3 * p] = x;
    this.base[3 * p + 1] = y;
    this.base[3 * p + 2] = z;
  }

  /** Number of stored expression entries per point, on average (a cost figure). */
  get meanExpressionEntries(): number {
    return this.expressionIndex.length / Math.max(1, this.count);
  }
}

/** The largest coefficient magnitude expected per expression: the bounds, else 3 std. */
function expressionScales(group: BlendshapeGroup): Float64Array {
  const out = new Float64Array(group.names.length);
  for (let e = 0; e < out.length; e++) {
    out[e] = group.min && group.max ? Math.max(Math.abs(group.min[e]!), Math.abs(group.max[e]!)) : 3 * group.std[e]!;
  }
  return out;
}

/** [groups][count][3] → [count][groups][3]. */
function pointMajor(src: Float32Array, groups: number, count: number): Float32Array {
  const out = new Float32Array(groups * count * 3);
  for (let g = 0; g < groups; g++) {
    for (let p = 0; p < count; p++) {
      const s = (g * count + p) * 3, d = (p * groups + g) * 3;
      out[d] = src[s]!;
      out[d + 1] = src[s + 1]!;
      out[d + 2] = src[s + 2]!;
    }
  }
  return out;
}

/**
 * Point p's expression columns of a two-row Jacobian whose rows take a model-space delta
 * through `rows` ([2][3]): into `j0`, `j1` and `cols` from column `first` on; returns the
 * column count. A tracking build (`tracking`: its system) leaves the point's small deltas out of
 * H (see `expressionInHessian`) and adds their gradient alone, `pull` being the point's weighted
 * residual pulled back to model space.
 */
export function expressionColumns(
  basis: SparsePointBasis, p: number, offset: number, first: number, tracking: NormalEquations | undefined,
  rows: Float64Array, pull0: number, pull1: number, pull2: number,
  j0: Float64Array, j1: Float64Array, cols: Int32Array,
): number {
  const a0 = rows[0]!, a1 = rows[1]!, a2 = rows[2]!, a3 = rows[3]!, a4 = rows[4]!, a5 = rows[5]!;
  const deltas = basis.expressionDelta, index = basis.expressionIndex, inHessian = basis.expressionInHessian;
  let count = first;
  for (let k = basis.expressionStart[p]!, end = basis.expressionStart[p + 1]!; k < end; k++) {
    const dx = deltas[3 * k]!, dy = deltas[3 * k + 1]!, dz = deltas[3 * k + 2]!;
    if (tracking && inHessian[k] === 0) {
      tracking.gradient[offset + index[k]!] += pull0 * dx + pull1 * dy + pull2 * dz;
      continue;
    }
    j0[count] = a0 * dx + a1 * dy + a2 * dz;
    j1[count] = a3 * dx + a4 * dy + a5 * dz;
    cols[count++] = offset + index[k]!;
  }
  return count;
}
