import type { FrameState } from './FrameState.js';
import type { Kinematics } from './Kinematics.js';
import type { NormalEquations } from './NormalEquations.js';
import type { SharedEquations } from './SharedEquations.js';
import type { SparsePointBasis } from './SparsePointBasis.js';

/**
 * Normal alignment: the model's vertex normal, turned into camera space, against the normal a
 * prior predicts at the vertex's pixel. Residual n − n_observed (3 rows, both unit), Huber on
 * its length.
 *
 * The model normal comes from a linear basis of unnormalized normals (see `normalBasis.ts`);
 * skinned models turn it with the skin-weighted blend of joint rotations.
 */
export class NormalTerm {
  readonly basis: SparsePointBasis;
  private readonly kinematics: Kinematics;
  private readonly expressionOffset: number;

  readonly points: Int32Array;
  /** [capacity][3] observed unit normals, camera space. */
  readonly targets: Float64Array;
  readonly weights: Float64Array;
  count = 0;
  weight = 1;
  /** See `ReprojectionTerm.sharedStride` and `sharedPhase`. */
  sharedStride = 1;
  sharedPhase = 0;
  /** Only 1 point in this many goes into the Gauss-Newton matrix, weighted up by as much (see NormalEquations.hessianTakes). */
  hessianThinning = 1;
  /** Huber threshold on |n − n_observed| (0.1 ≈ 6°). */
  huber = 0.1;

  private readonly turn = new Float64Array(9);
  private readonly jointColumns: number;
  /** d(R·M·N)/dδ_joints, [3][jointColumns]. */
  private readonly jointTurn: Float64Array;
  private readonly cols: Int32Array;
  private readonly jacobian: Float64Array;
  private readonly residual = new Float64Array(3);
  private sharedJacobian = new Float64Array(0);

  constructor(basis: SparsePointBasis, kinematics: Kinematics, expressionOffset: number, capacity: number) {
    this.basis = basis;
    this.kinematics = kinematics;
    this.expressionOffset = expressionOffset;
    this.points = new Int32Array(capacity);
    this.targets = new Float64Array(3 * capacity);
    this.weights = new Float64Array(capacity);
    let maxEntries = 0;
    for (let p = 0; p < basis.count; p++) maxEntries = Math.max(maxEntries, basis.expressionStart[p + 1]! - basis.expressionStart[p]!);
    this.jointColumns = 3 * kinematics.fittedJoints;
    this.jointTurn = new Float64Array(3 * this.jointColumns);
    this.cols = new Int32Array(3 + this.jointColumns + maxEntries);
    this.jacobian = new Float64Array(3 * (3 + this.jointColumns + maxEntries));
  }

  accumulate(state: FrameState, system?: NormalEquations, shared?: SharedEquations): number {
    const { basis, turn, cols, jacobian, residual } = this;
    const K = shared ? shared.size : 0;
    if (shared && this.sharedJacobian.length < 3 * K) this.sharedJacobian = new Float64Array(3 * K);
    let energy = 0;
    for (let i = 0; i < this.count; i++) {
      const w = this.weights[i]! * this.weight;
      if (w <= 0) continue;
      const p = this.points[i]!;
      let x = basis.base[3 * p]!, y = basis.base[3 * p + 1]!, z = basis.base[3 * p + 2]!;
      const start = basis.expressionStart[p]!, end = basis.expressionStart[p + 1]!;
      for (let k = start; k < end; k++) {
        const c = state.expression[basis.expressionIndex[k]!]!;
        if (c === 0) continue;
        x += c * basis.expressionDelta[3 * k]!;
        y += c * basis.expressionDelta[3 * k + 1]!;
        z += c * basis.expressionDelta[3 * k + 2]!;
      }
      this.kinematics.deltaToCamera(basis.skinWeights, p, turn);
      const cx = turn[0]! * x + turn[1]! * y + turn[2]! * z;
      const cy = turn[3]! * x + turn[4]! * y + turn[5]! * z;
      const cz = turn[6]! * x + turn[7]! * y + turn[8]! * z;
      const len = Math.sqrt(cx * cx + cy * cy + cz * cz); // (Math.hypot is several times slower)
      if (len === 0) continue;
      const nx = cx / len, ny = cy / len, nz = cz / len;
      residual[0] = nx - this.targets[3 * i]!;
      residual[1] = ny - this.targets[3 * i + 1]!;
      residual[2] = nz - this.targets[3 * i + 2]!;
      const norm = Math.sqrt(residual[0]! * residual[0]! + residual[1]! * residual[1]! + residual[2]! * residual[2]!);
      const delta = this.huber;
      const robust = norm <= delta ? 1 : delta / norm;
      energy += w * (norm <= delta ? norm * norm : 2 * delta * norm - delta * delta);
      if (!system && !shared) continue;
      if (shared && i % this.sharedStride !== this.sharedPhase) continue; // see ReprojectionTerm.sharedStride
      const weighted = w * robust * (shared ? this.sharedStride : 1);
      if (!shared && !system!.hessianTakes(i, this.hessianThinning)) {
        this.addGradient(system!, p, weighted, nx, ny, nz, len, x, y, z);
        continue;
      }

      const nj = this.jointColumns, count = 3 + nj + (end - start);
      // Rotation: a left increment δ turns n by δ × n, i.e. −[n]× δ.
      jacobian[0] = 0; jacobian[1] = nz; jacobian[2] = -ny;
      jacobian[count] = -nz; jacobian[count + 1] = 0; jacobian[count + 2] = nx;
      jacobian[2 * count] = ny; jacobian[2 * count + 1] = -nx; jacobian[2 * count + 2] = 0;
      cols[0] = 0; cols[1] = 1; cols[2] = 2;
      // B = (I − n·nᵀ)/len · turn: how the unit normal moves with an unnormalized model-space delta.
      const B = this.projected(nx, ny, nz, len);
      if (nj > 0) {
        // Joints turn the model normal: (I − n·nᵀ)/len · d(R·M·N)/dδ.
        const jt = this.jointTurn;
        this.kinematics.turnJacobian(basis.skinWeights!, p, x, y, z, jt);
        for (let col = 0; col < nj; col++) {
          const dot = nx * jt[col]! + ny * jt[nj + col]! + nz * jt[2 * nj + col]!;
          jacobian[3 + col] = (jt[col]! - nx * dot) / len;
          jacobian[count + 3 + col] = (jt[nj + col]! - ny * dot) / len;
          jacobian[2 * count + 3 + col] = (jt[2 * nj + col]! - nz * dot) / len;
          cols[3 + col] = 6 + col;
        }
      }
      let c = 3 + nj;
      for (let k = start; k < end; k++, c++) {
        const dx = basis.expressionDelta[3 * k]!, dy = basis.expressionDelta[3 * k + 1]!, dz = basis.expressionDelta[3 * k + 2]!;
        jacobian[c] = B[0]! * dx + B[1]! * dy + B[2]! * dz;
        jacobian[count + c] = B[3]! * dx + B[4]! * dy + B[5]! * dz;
        jacobian[2 * count + c] = B[6]! * dx + B[7]! * dy + B[8]! * dz;
        cols[c] = this.expressionOffset + basis.expressionIndex[k]!;
      }
      if (system) system.addBlock(3, count, cols, jacobian, residual, weighted, shared ? weighted : weighted * this.hessianThinning);
      if (shared) {
        const J = this.sharedJacobian, ids = basis.identityCount, o = p * ids * 3;
        J.fill(0, 0, 3 * K);
        for (let k = 0; k < ids; k++) {
          const dx = basis.identity[o + 3 * k]!, dy = basis.identity[o + 3 * k + 1]!, dz = basis.identity[o + 3 * k + 2]!;
          for (let r = 0; r < 3; r++) J[r * K + k] = B[3 * r]! * dx + B[3 * r + 1]! * dy + B[3 * r + 2]! * dz;
        }
        shared.addBlock(3, J, count, cols, jacobian, count, residual, weighted);
      }
    }
    return energy;
  }

  /** The gradient alone for one point: Jᵀ·(w·r) without forming J's expression columns. */
  private addGradient(system: NormalEquations, p: number, weight: number, nx: number, ny: number, nz: number, len: number, x: number, y: number, z: number): void {
    const g = system.gradient, basis = this.basis, r = this.residual;
    const r0 = weight * r[0]!, r1 = weight * r[1]!, r2 = weight * r[2]!;
    // Rotation columns are −[n]×: their gradient is n × (w·r).
    g[0] += ny * r2 - nz * r1;
    g[1] += nz * r0 - nx * r2;
    g[2] += nx * r1 - ny * r0;
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

  private readonly projectedTurn = new Float64Array(9);

  /** (I − n·nᵀ) · turn / len. */
  private projected(nx: number, ny: number, nz: number, len: number): Float64Array {
    const t = this.turn, out = this.projectedTurn;
    for (let c = 0; c < 3; c++) {
      const dot = nx * t[c]! + ny * t[3 + c]! + nz * t[6 + c]!;
      out[c] = (t[c]! - nx * dot) / len;
      out[3 + c] = (t[3 + c]! - ny * dot) / len;
      out[6 + c] = (t[6 + c]! - nz * dot) / len;
    }
    return out;
  }
}
