import type { BlendshapeGroup } from '../model/FaceModel.js';
import type { PointBasis } from '../model/PointBasis.js';

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
  /** [entries][3]. */
  readonly expressionDelta: Float32Array;
  /** [count][poseCount][3] pose-corrective deltas (skinned models), point-major. */
  readonly pose?: Float32Array;
  readonly poseCount: number;
  /** [count][jointCount] skin weights (skinned models). */
  readonly skinWeights?: Float32Array;

  private readonly identityCoefficients: Float64Array;
  private identityVersion = 0;
  private readonly foldedVersion: Int32Array;

  /**
   * @param expressionScale per expression, the largest coefficient magnitude expected (1 for
   *   ARKit weights): a delta is dropped when |delta| · scale < `dropBelow` (model units).
   */
  constructor(basis: PointBasis, expression: BlendshapeGroup, identityCount: number, dropBelow: number) {
    const n = basis.count;
    this.count = n;
    this.identityCount = identityCount;
    this.template = basis.base;
    this.base = Float64Array.from(basis.base);
    this.identity = pointMajor(basis.identity, identityCount, n);
    this.identityCoefficients = new Float64Array(identityCount);
    this.foldedVersion = new Int32Array(n);

    const expressionCount = expression.names.length;
    const scale = expressionScales(expression);
    const start = new Int32Array(n + 1);
    const index: number[] = [];
    const delta: number[] = [];
    for (let p = 0; p < n; p++) {
      start[p] = index.length;
      for (let e = 0; e < expressionCount; e++) {
        const o = (e * n + p) * 3;
        const dx = basis.expression[o]!, dy = basis.expression[o + 1]!, dz = basis.expression[o + 2]!;
        if (Math.hypot(dx, dy, dz) * scale[e]! < dropBelow) continue;
        index.push(e);
        delta.push(dx, dy, dz);
      }
    }
    start[n] = index.length;
    this.expressionStart = start;
    this.expressionIndex = Uint16Array.from(index);
    this.expressionDelta = Float32Array.from(delta);

    this.poseCount = basis.pose ? basis.pose.length / (3 * n) : 0;
    if (basis.pose) this.pose = pointMajor(basis.pose, this.poseCount, n);
    if (basis.skinWeights) this.skinWeights = basis.skinWeights;
  }

  /** Sets the identity coefficients; points fold them into `base` when next prepared. */
  setIdentity(beta: ArrayLike<number>): void {
    for (let k = 0; k < this.identityCount; k++) this.identityCoefficients[k] = beta[k] ?? 0;
    this.identityVersion++;
  }

  /** Replaces the base ([count][3]) for the current identity, for bases that are not linear in it (normals). */
  overrideBase(base: ArrayLike<number>): void {
    this.base.set(base);
    this.foldedVersion.fill(this.identityVersion);
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
