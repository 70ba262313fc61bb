import type { FrameState } from '../FrameState.js';
import type { Kinematics } from '../Kinematics.js';
import type { NormalsSpace } from '../types.js';
import type { NormalEquations } from '../NormalEquations.js';
import type { SharedEquations } from '../SharedEquations.js';
import { expressionColumns, type SparsePointBasis } from '../SparsePointBasis.js';
import { PointTerm } from './PointTerm.js';
import { robustEnergy, robustWeight } from './robustLoss.js';

/**
 * Normal alignment: the model's vertex normal against the normal a prior predicts at the
 * vertex's pixel. Residual n − n_observed (3 rows, both unit), Huber (see `robustLoss.ts`) on its
 * length; its Gauss-Newton blocks take the two rows along the tangent plane.
 *
 * The model normal comes from a linear basis of unnormalized normals N (see `normalBasis.ts`);
 * skinned models turn it with the skin-weighted blend M of joint rotations. The observation's
 * frame (`space`) says what it is compared with:
 * - `camera`: n = normalize(R·M·N), R the head rotation (p_camera = R·p_model + t).
 * - `model`: n = normalize(M·N), the model's own deformation (expressions, joints, correctives)
 *   without the head rotation, as Pixel3DMM's networks predict. Computed as R·n against R·n_observed:
 *   R is orthogonal, so the residual's length and its Jacobian's columns in everything but R keep
 *   their norms and inner products (same energy, gradient and Gauss-Newton blocks), and the
 *   camera-space kinematics serve both. The observation turns with the head, so the residual does
 *   not depend on R: no rotation columns. A model-frame normal says nothing about the head's
 *   rotation — the network already took it out — only about the face's own shape.
 */
export class NormalTerm extends PointTerm {
  /** Huber threshold on |n − n_observed| (0.1 ≈ 6°). */
  huber = 0.1;
  /** The frame of `targets` (the observation's `normalsSpace`). */
  space: NormalsSpace = 'camera';

  private readonly turn = new Float64Array(9);
  /** d(R·M·N)/dδ_joints, [3][jointColumns]. */
  private readonly jointTurn: Float64Array;
  private readonly residual = new Float64Array(3);
  /** The residual along the tangents. */
  private readonly residual2 = new Float64Array(2);
  /** [2][3] unit tangents t1, t2 of the model normal. */
  private readonly tangents = new Float64Array(6);
  /** [2][3] turnᵀ·t/len: how a model-space delta moves n along each tangent. */
  private readonly modelRows = new Float64Array(6);

  /** `targets`: [capacity][3] observed unit normals, in `space`. */
  constructor(name: string, basis: SparsePointBasis, kinematics: Kinematics, expressionOffset: number, capacity: number) {
    super(name, basis, kinematics, expressionOffset, capacity, 3, 3);
    this.jointTurn = new Float64Array(3 * this.jointColumns);
  }

  accumulate(state: FrameState, system?: NormalEquations, shared?: SharedEquations): number {
    const { basis, turn, residual } = this;
    basis.setExpression(state.expression);
    const K = this.prepareShared(shared);
    // Model space: targets turned into camera space with the head (see the class note), and the
    // Jacobian starts at the joints.
    const R = this.space === 'model' ? state.rotation : undefined;
    const first = R ? 0 : 3;
    let energy = 0;
    for (let i = 0; i < this.count; i++) {
      const w = this.weights[i]! * this.weight;
      if (w <= 0) continue;
      const p = this.points[i]!;
      const so = basis.shape(p), shaped = basis.shaped;
      const x = shaped[so]!, y = shaped[so + 1]!, z = shaped[so + 2]!;
      this.kinematics.deltaToCamera(basis.skinWeights, p, turn);
      const cx = turn[0]! * x + turn[1]! * y + turn[2]! * z;
      const cy = turn[3]! * x + turn[4]! * y + turn[5]! * z;
      const cz = turn[6]! * x + turn[7]! * y + turn[8]! * z;
      const len = Math.sqrt(cx * cx + cy * cy + cz * cz); // (Math.hypot is several times slower)
      if (len === 0) continue;
      const nx = cx / len, ny = cy / len, nz = cz / len;
      const ox = this.targets[3 * i]!, oy = this.targets[3 * i + 1]!, oz = this.targets[3 * i + 2]!;
      residual[0] = nx - (R ? R[0]! * ox + R[1]! * oy + R[2]! * oz : ox);
      residual[1] = ny - (R ? R[3]! * ox + R[4]! * oy + R[5]! * oz : oy);
      residual[2] = nz - (R ? R[6]! * ox + R[7]! * oy + R[8]! * oz : oz);
      const norm = Math.sqrt(residual[0]! * residual[0]! + residual[1]! * residual[1]! + residual[2]! * residual[2]!);
      energy += robustEnergy('huber', norm, this.huber, w);
      if (!system && !shared) continue;
      if (shared && i % this.sharedStride !== this.sharedPhase) continue; // see SampledTerm
      const weighted = w * robustWeight('huber', norm, this.huber) * (shared ? this.sharedStride : 1);
      if (!shared && !system!.hessianTakes(i, this.hessianThinning)) {
        this.addGradient(system!, p, weighted, nx, ny, nz, len, x, y, z, first);
        continue;
      }

      // The residual's Jacobian lies in the tangent plane (n stays unit), so two rows along a
      // tangent basis (t1, t2) give the same g and H as three: rᵀJ = (Tᵀr)ᵀ(TᵀJ), JᵀJ = (TᵀJ)ᵀ(TᵀJ).
      const tangents = this.tangents;
      tangentBasis(nx, ny, nz, tangents);
      const r2 = this.residual2;
      r2[0] = tangents[0]! * residual[0]! + tangents[1]! * residual[1]! + tangents[2]! * residual[2]!;
      r2[1] = tangents[3]! * residual[0]! + tangents[4]! * residual[1]! + tangents[5]! * residual[2]!;
      const row0 = this.jacobian, row1 = this.row1, nj = this.jointColumns, t = this.turn;
      for (let r = 0; r < 2; r++) {
        const J = r === 0 ? row0 : row1, tx = tangents[3 * r]!, ty = tangents[3 * r + 1]!, tz = tangents[3 * r + 2]!;
        if (first) {
          // A turn δ moves n by δ × n: row t·(δ × n) = (n × t)·δ.
          J[0] = ny * tz - nz * ty;
          J[1] = nz * tx - nx * tz;
          J[2] = nx * ty - ny * tx;
        }
        // Model-space deltas move n by (I − n·nᵀ)·turn·δ/len; along t (⊥ n) that is (turnᵀ·t/len)·δ.
        const a = this.modelRows;
        a[3 * r] = (t[0]! * tx + t[3]! * ty + t[6]! * tz) / len;
        a[3 * r + 1] = (t[1]! * tx + t[4]! * ty + t[7]! * tz) / len;
        a[3 * r + 2] = (t[2]! * tx + t[5]! * ty + t[8]! * tz) / len;
      }
      const cols = this.cols;
      if (first) (cols[0] = 0), (cols[1] = 1), (cols[2] = 2);
      if (nj > 0) {
        // Joints turn the model normal: d(R·M·N)/dδ, along t and over len.
        const jt = this.jointTurn;
        this.kinematics.turnJacobian(basis.skinWeights!, p, x, y, z, jt);
        for (let col = 0; col < nj; col++) {
          const jx = jt[col]!, jy = jt[nj + col]!, jz = jt[2 * nj + col]!;
          row0[first + col] = (tangents[0]! * jx + tangents[1]! * jy + tangents[2]! * jz) / len;
          row1[first + col] = (tangents[3]! * jx + tangents[4]! * jy + tangents[5]! * jz) / len;
          cols[first + col] = 6 + col;
        }
      }
      // Expression columns (see `expressionColumns`).
      const a = this.modelRows, a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, a3 = a[3]!, a4 = a[4]!, a5 = a[5]!;
      const w0 = weighted * r2[0]!, w1 = weighted * r2[1]!;
      const m0 = a0 * w0 + a3 * w1, m1 = a1 * w0 + a4 * w1, m2 = a2 * w0 + a5 * w1;
      const hessianWeight = shared ? weighted : weighted * this.hessianThinning;
      const count = expressionColumns(basis, p, this.expressionOffset, first + nj, shared ? undefined : system, a, m0, m1, m2, row0, row1, cols);
      if (system) system.addBlock2(count, cols, row0, row1, r2[0]!, r2[1]!, weighted, hessianWeight);
      if (shared) {
        const J = this.sharedJacobian, ids = basis.identityCount, io = p * ids * 3;
        J.fill(0, 0, 2 * K);
        for (let k = 0; k < ids; k++) {
          const dx = basis.identity[io + 3 * k]!, dy = basis.identity[io + 3 * k + 1]!, dz = basis.identity[io + 3 * k + 2]!;
          J[k] = a0 * dx + a1 * dy + a2 * dz;
          J[K + k] = a3 * dx + a4 * dy + a5 * dz;
        }
        shared.addBlock2(J, count, cols, row0, row1, r2[0]!, r2[1]!, weighted);
      }
    }
    return energy;
  }

  /** The gradient alone for one point: Jᵀ·(w·r) without forming J's expression columns (rotation columns when `first` is 3). */
  private addGradient(system: NormalEquations, p: number, weight: number, nx: number, ny: number, nz: number, len: number, x: number, y: number, z: number, first: number): void {
    const g = system.gradient, basis = this.basis, r = this.residual;
    const r0 = weight * r[0]!, r1 = weight * r[1]!, r2 = weight * r[2]!;
    if (first) {
      // Rotation columns are −[n]×: their gradient is n × (w·r).
      g[0] += ny * r2 - nz * r1;
      g[1] += nz * r0 - nx * r2;
      g[2] += nx * r1 - ny * r0;
    }
    // Columns through B = (I − n·nᵀ)/len · turn: pull w·r back once, u = Bᵀ·(w·r).
    const dot = nx * r0 + ny * r1 + nz * r2;
    const q0 = (r0 - nx * dot) / len, q1 = (r1 - ny * dot) / len, q2 = (r2 - nz * dot) / len;
    const t = this.turn;
    const u0 = t[0]! * q0 + t[3]! * q1 + t[6]! * q2, u1 = t[1]! * q0 + t[4]! * q1 + t[7]! * q2, u2 = t[2]! * q0 + t[5]! * q1 + t[8]! * q2;
    const nj = this.jointColumns;
    if (nj > 0) {
      const jt = this.jointTurn;
      this.kinematics.turnJacobian(basis.skinWeights!, p, x, y, z, jt);
      for (let c = 0; c < nj; c++) g[6 + c] += q0 * jt[c]! + q1 * jt[nj + c]! + q2 * jt[2 * nj + c]!;
    }
    const end = basis.expressionStart[p + 1]!, o = this.expressionOffset, delta = basis.expressionDelta, index = basis.expressionIndex;
    for (let k = basis.expressionStart[p]!; k < end; k++) g[o + index[k]!] += u0 * delta[3 * k]! + u1 * delta[3 * k + 1]! + u2 * delta[3 * k + 2]!;
  }
}

/** An orthonormal pair (t1, t2) perpendicular to unit n, into `out` [2][3] (Duff et al., "Building an Orthonormal Basis, Revisited", 2017). */
function tangentBasis(nx: number, ny: number, nz: number, out: Float64Array): void {
  const sign = nz >= 0 ? 1 : -1;
  const a = -1 / (sign + nz), b = nx * ny * a;
  out[0] = 1 + sign * nx * nx * a; out[1] = sign * b; out[2] = -sign * nx;
  out[3] = b; out[4] = sign + ny * ny * a; out[5] = -ny;
}
