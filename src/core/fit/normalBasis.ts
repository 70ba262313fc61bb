import type { FaceModel } from '../model/FaceModel.js';
import type { PointBasis } from '../model/PointBasis.js';
import { SparsePointBasis } from './SparsePointBasis.js';

/**
 * The unnormalized (area-weighted) vertex normals of a vertex set as a linear basis in the
 * model's coefficients, for the normal term: n(β, ψ) ≈ N(β) + Σ ψ_e·dN_e.
 *
 * The normal is quadratic in the positions, and a typical identity moves it by degrees away from
 * any linear model, so the base N(β) is recomputed exactly when identity changes
 * (`setIdentity`, `update`). The identity columns (used only to estimate identity) are the exact
 * derivative at the template (a central difference); expression columns bounded below by 0 are
 * the secant over [0, max] (the better fit across their range), others the derivative. Each
 * vertex's rows are scaled by 1/|N(template)| (a positive factor leaves the direction
 * unchanged) so deltas read in radians.
 */
export class RegionNormals {
  readonly basis: SparsePointBasis;
  private readonly model: FaceModel;
  private readonly slot: Int32Array;
  private readonly touching: Int32Array;
  /** Vertices the touching triangles use, and their positions for the current identity. */
  private readonly ring: Uint32Array;
  private readonly positions: Float64Array;
  private readonly inverseLength: Float64Array;
  private readonly exact: Float64Array;
  /** The identity to follow, the part of it in `positions`, and where `update` resumes. */
  private readonly target: Float64Array;
  private readonly applied: Float64Array;
  private nextCoefficient = 0;

  constructor(model: FaceModel, vertices: ArrayLike<number>, skinWeights: Float32Array | undefined, dropBelow: number, hessianBelow = dropBelow) {
    this.model = model;
    const count = vertices.length;
    const { triangles } = model;
    this.slot = new Int32Array(model.vertexCount).fill(-1);
    for (let i = 0; i < count; i++) this.slot[vertices[i]!] = i;
    const touching: number[] = [];
    const inRing = new Uint8Array(model.vertexCount);
    for (let t = 0; t < triangles.length; t += 3) {
      if (this.slot[triangles[t]!]! < 0 && this.slot[triangles[t + 1]!]! < 0 && this.slot[triangles[t + 2]!]! < 0) continue;
      touching.push(t);
      inRing[triangles[t]!] = inRing[triangles[t + 1]!] = inRing[triangles[t + 2]!] = 1;
    }
    this.touching = Int32Array.from(touching);
    const ring: number[] = [];
    inRing.forEach((flag, v) => flag && ring.push(v));
    this.ring = Uint32Array.from(ring);
    this.positions = Float64Array.from(model.template);
    this.target = new Float64Array(model.identity.names.length);
    this.applied = new Float64Array(model.identity.names.length);
    this.exact = new Float64Array(3 * count);
    this.normalsAt(this.positions, this.exact);
    this.inverseLength = Float64Array.from({ length: count }, (_, i) => 1 / (Math.hypot(this.exact[3 * i]!, this.exact[3 * i + 1]!, this.exact[3 * i + 2]!) || 1));
    this.basis = new SparsePointBasis(this.linearBasis(count, skinWeights), model.expression, model.identity.names.length, dropBelow, hessianBelow);
  }

  /** Sets the identity the base normals follow (see `update`). */
  setIdentity(beta: ArrayLike<number>): void {
    for (let k = 0; k < this.target.length; k++) this.target[k] = beta[k] ?? 0;
  }

  /**
   * Moves the base normals to the identity set, taking up to `coefficients` identity
   * coefficients that changed (round robin), and recomputes them exactly from the positions so
   * far. Each coefficient costs a pass over the ring (~0.06 ms; all 100 ~6 ms): while identity is
   * being estimated it changes every frame, and a frame can take a share, the normals following
   * a few frames late.
   */
  update(coefficients = Infinity): void {
    const { model, positions, ring, target, applied } = this;
    const n3 = model.vertexCount * 3, deltas = model.identity.deltas, K = target.length;
    let taken = 0;
    for (let i = 0; i < K && taken < coefficients; i++) {
      const k = (this.nextCoefficient + i) % K, b = target[k]! - applied[k]!;
      if (b === 0) continue;
      applied[k] = target[k]!;
      taken++;
      this.nextCoefficient = (k + 1) % K;
      // One identity delta at a time: each is read in order, not one vertex's hundred deltas far apart.
      const o = k * n3;
      for (const v of ring) {
        positions[3 * v] += b * deltas[o + 3 * v]!;
        positions[3 * v + 1] += b * deltas[o + 3 * v + 1]!;
        positions[3 * v + 2] += b * deltas[o + 3 * v + 2]!;
      }
    }
    if (taken === 0) return;
    this.normalsAt(positions, this.exact);
    for (let i = 0; i < this.exact.length; i++) this.exact[i] = this.exact[i]! * this.inverseLength[(i / 3) | 0]!;
    this.basis.overrideBase(this.exact);
  }

  /** Unnormalized normals of the selected vertices for the given vertex positions. */
  private normalsAt(positions: ArrayLike<number>, out: Float64Array): void {
    const { slot } = this;
    const triangles = this.model.triangles;
    out.fill(0);
    for (const t of this.touching) {
      const a = 3 * triangles[t]!, b = 3 * triangles[t + 1]!, d = 3 * triangles[t + 2]!;
      const ax = positions[a]!, ay = positions[a + 1]!, az = positions[a + 2]!;
      const e1x = positions[b]! - ax, e1y = positions[b + 1]! - ay, e1z = positions[b + 2]! - az;
      const e2x = positions[d]! - ax, e2y = positions[d + 1]! - ay, e2z = positions[d + 2]! - az;
      const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      for (let corner = 0; corner < 3; corner++) {
        const s = slot[triangles[t + corner]!]!;
        if (s < 0) continue;
        out[3 * s] += nx;
        out[3 * s + 1] += ny;
        out[3 * s + 2] += nz;
      }
    }
  }

  /** The linear basis at the template, scaled per vertex. */
  private linearBasis(count: number, skinWeights: Float32Array | undefined): PointBasis {
    const model = this.model, n3 = model.vertexCount * 3;
    const base = new Float64Array(3 * count), plus = new Float64Array(3 * count), minus = new Float64Array(3 * count);
    const shifted = new Float64Array(n3);
    this.normalsAt(model.template, base);
    const displaced = (deltas: Float32Array, group: number, c: number, out: Float64Array) => {
      for (const v of this.ring) for (let a = 0; a < 3; a++) shifted[3 * v + a] = model.template[3 * v + a]! + c * deltas[group * n3 + 3 * v + a]!;
      this.normalsAt(shifted, out);
    };
    const group = (deltas: Float32Array, groups: number, secantMax: (k: number) => number | undefined): Float32Array => {
      const out = new Float32Array(groups * count * 3);
      for (let k = 0; k < groups; k++) {
        const max = secantMax(k);
        if (max !== undefined) {
          displaced(deltas, k, max, plus);
          for (let i = 0; i < 3 * count; i++) out[k * 3 * count + i] = ((plus[i]! - base[i]!) / max) * this.inverseLength[(i / 3) | 0]!;
        } else {
          displaced(deltas, k, 1, plus);
          displaced(deltas, k, -1, minus);
          for (let i = 0; i < 3 * count; i++) out[k * 3 * count + i] = ((plus[i]! - minus[i]!) / 2) * this.inverseLength[(i / 3) | 0]!;
        }
      }
      return out;
    };
    const expression = model.expression;
    const basis: { -readonly [K in keyof PointBasis]: PointBasis[K] } = {
      count,
      base: Float32Array.from(base, (v, i) => v * this.inverseLength[(i / 3) | 0]!),
      identity: group(model.identity.deltas, model.identity.names.length, () => undefined),
      expression: group(expression.deltas, expression.names.length, (e) =>
        expression.min && expression.max && expression.min[e] === 0 && expression.max[e]! > 0 ? expression.max[e]! : undefined,
      ),
    };
    if (skinWeights) basis.skinWeights = skinWeights;
    return basis;
  }
}
