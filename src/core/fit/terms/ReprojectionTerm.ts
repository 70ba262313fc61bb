import type { PinholeCamera } from '../../camera.js';
import type { FrameState } from '../FrameState.js';
import { type Kinematics, PosedPoint } from '../Kinematics.js';
import type { NormalEquations } from '../NormalEquations.js';
import type { SharedEquations } from '../SharedEquations.js';
import { expressionColumns, type SparsePointBasis } from '../SparsePointBasis.js';
import { PointTerm } from './PointTerm.js';
import { robustEnergy, robustWeight, type RobustLoss } from './robustLoss.js';

/**
 * Reprojection of basis points onto observed pixels: MediaPipe's landmarks through the model's
 * embedding, or dense UV correspondences on fitting-region vertices.
 *
 * Residuals are pixels scaled by `pixelScale` (so weights and the robust scale read in pixels
 * of a reference-sized face). A contour point (one with a direction: the contour's normal)
 * counts its offset along the contour only by `tangentScale`: the silhouette slides over the
 * surface as the head turns, so where a contour landmark sits along it is less certain than
 * how far it is across it.
 * Energy per point: weight · ρ(|r|) with the robust loss `loss` of scale δ = `robustPx` (see
 * `robustLoss.ts`).
 */
export class ReprojectionTerm extends PointTerm {
  /** [capacity][2] a contour point's unit normal to the contour, or (0, 0) for an ordinary point. */
  readonly directions: Float64Array;
  /** Scale of a contour point's residual along the contour (its normal component counts fully). */
  tangentScale = 1;

  camera!: PinholeCamera;
  pixelScale = 1;
  robustPx = 4;
  loss: RobustLoss = 'huber';
  /** Raw (unscaled) pixel distance of each point at the last evaluation. */
  readonly distancesPx: Float64Array;
  /** Raw (unscaled) RMS pixel distance of the last evaluation. */
  rmsPx = 0;

  private readonly posed: PosedPoint;
  private readonly residual = new Float64Array(2);
  /** [2][3]: D·(R·M), how a model-space delta moves the point's two residuals. */
  private readonly imageMotion = new Float64Array(6);

  /** `targets`: [capacity][2] target pixels. */
  constructor(name: string, basis: SparsePointBasis, kinematics: Kinematics, expressionOffset: number, capacity: number) {
    super(name, basis, kinematics, expressionOffset, capacity, 2, 6);
    this.directions = new Float64Array(2 * capacity);
    this.distancesPx = new Float64Array(capacity);
    this.posed = new PosedPoint(kinematics.fittedJoints);
  }

  /** Energy at `state`; adds the normal equations to `system` and `shared` when given. */
  accumulate(state: FrameState, system?: NormalEquations, shared?: SharedEquations): number {
    const { basis, kinematics, posed, cols, jacobian, residual } = this;
    const f = this.camera.focalPx, cx = this.camera.cx, cy = this.camera.cy;
    const scale = this.pixelScale, delta = this.robustPx, loss = this.loss;
    const withJoints = this.jointColumns > 0 && (system !== undefined || shared !== undefined);
    const K = this.prepareShared(shared);
    let energy = 0, squaredPx = 0, used = 0;
    basis.setExpression(state.expression);

    for (let i = 0; i < this.count; i++) {
      const w = this.weights[i]! * this.weight;
      if (w <= 0) continue;
      const p = this.points[i]!;
      kinematics.pose(basis, p, posed, withJoints);
      const P = posed.camera;
      if (P[2]! > -1e-6) {
        // Behind the camera: no projection. An infinite energy makes the solver reject the step.
        energy = Infinity;
        continue;
      }
      const iz = 1 / -P[2]!;
      const u = cx + f * P[0]! * iz, v = cy - f * P[1]! * iz;
      const eu = u - this.targets[2 * i]!, ev = v - this.targets[2 * i + 1]!;
      squaredPx += eu * eu + ev * ev;
      used++;
      // Rows of d(scaled pixel)/d(camera point): [a, 0, b0] and [0, −a, b1].
      const a = f * iz * scale, b0 = a * P[0]! * iz, b1 = -a * P[1]! * iz;
      // W: the identity, or for a contour point the (normal, tangent) basis with the tangent scaled down.
      const nx = this.directions[2 * i]!, ny = this.directions[2 * i + 1]!;
      const contour = nx !== 0 || ny !== 0;
      const w00 = contour ? nx : 1, w01 = contour ? ny : 0;
      const w10 = contour ? -ny * this.tangentScale : 0, w11 = contour ? nx * this.tangentScale : 1;
      residual[0] = (w00 * eu + w01 * ev) * scale;
      residual[1] = (w10 * eu + w11 * ev) * scale;
      const d00 = w00 * a, d01 = -w01 * a, d02 = w00 * b0 + w01 * b1;
      const d10 = w10 * a, d11 = -w11 * a, d12 = w10 * b0 + w11 * b1;
      const norm = Math.sqrt(residual[0]! * residual[0]! + residual[1]! * residual[1]!); // (Math.hypot is several times slower)
      this.distancesPx[i] = Math.sqrt(eu * eu + ev * ev);
      energy += robustEnergy(loss, norm, delta, w);
      if (!system && !shared) continue;
      // An identity build takes a consistent subsample into both systems (see `sharedStride`).
      if (shared && i % this.sharedStride !== this.sharedPhase) continue;
      const weighted = w * robustWeight(loss, norm, delta) * (shared ? this.sharedStride : 1);
      if (!shared && !system!.hessianTakes(i, this.hessianThinning)) {
        this.addGradient(system!, p, weighted, d00, d01, d02, d10, d11, d12);
        continue;
      }

      // Columns: rotation, translation, joints, then the point's expressions.
      const nj = this.jointColumns, row1 = this.row1;
      this.poseRow(jacobian, 0, d00, d01, d02, withJoints);
      this.poseRow(row1, 3, d10, d11, d12, withJoints);
      if (shared) {
        // u − cx = f·x/(−z) scales with f, so d(u)/d(log f) = u − cx (likewise v).
        const fu = (u - cx) * scale, fv = (v - cy) * scale, A = this.imageMotion;
        this.sharedRow(0, p, A[0]!, A[1]!, A[2]!, w00 * fu + w01 * fv, K);
        this.sharedRow(1, p, A[3]!, A[4]!, A[5]!, w10 * fu + w11 * fv, K);
      }
      for (let c = 0; c < 6 + nj; c++) cols[c] = c;
      // Expression columns (see `expressionColumns`).
      const A = this.imageMotion, r0 = weighted * residual[0]!, r1 = weighted * residual[1]!;
      const m0 = A[0]! * r0 + A[3]! * r1, m1 = A[1]! * r0 + A[4]! * r1, m2 = A[2]! * r0 + A[5]! * r1;
      const hessianWeight = shared ? weighted : weighted * this.hessianThinning;
      const count = expressionColumns(basis, p, this.expressionOffset, 6 + nj, shared ? undefined : system, A, m0, m1, m2, jacobian, row1, cols);
      if (system) system.addBlock2(count, cols, jacobian, row1, residual[0]!, residual[1]!, weighted, hessianWeight);
      if (shared) shared.addBlock2(this.sharedJacobian, count, cols, jacobian, row1, residual[0]!, residual[1]!, weighted);
    }
    this.rmsPx = used > 0 ? Math.sqrt(squaredPx / used) : 0;
    return energy;
  }

  /**
   * One Jacobian row's rotation, translation and joint columns, for the row (x, y, z) of
   * d(residual)/d(camera point); its row of `imageMotion` at `at`.
   */
  private poseRow(J: Float64Array, at: number, x: number, y: number, z: number, withJoints: boolean): void {
    const q = this.posed.rotated, M = this.posed.deltaToCamera, nj = this.jointColumns;
    // Rotation columns: D·(−[q]×).
    J[0] = -y * q[2]! + z * q[1]!;
    J[1] = x * q[2]! - z * q[0]!;
    J[2] = -x * q[1]! + y * q[0]!;
    J[3] = x;
    J[4] = y;
    J[5] = z;
    if (withJoints) {
      const jj = this.posed.jointJacobian;
      for (let c = 0; c < nj; c++) J[6 + c] = x * jj[c]! + y * jj[nj + c]! + z * jj[2 * nj + c]!;
    }
    const A = this.imageMotion;
    A[at] = x * M[0]! + y * M[3]! + z * M[6]!;
    A[at + 1] = x * M[1]! + y * M[4]! + z * M[7]!;
    A[at + 2] = x * M[2]! + y * M[5]! + z * M[8]!;
  }

  /**
   * The gradient alone for one point (rows of d pixel / d camera point given): Jᵀ·r without
   * forming J's expression columns, each costs one dot product with Aᵀ·r.
   */
  private addGradient(system: NormalEquations, p: number, weight: number, d00: number, d01: number, d02: number, d10: number, d11: number, d12: number): void {
    const g = system.gradient, q = this.posed.rotated, M = this.posed.deltaToCamera, basis = this.basis;
    // v = Dᵀ·(w·r): the residual pulled back to camera space.
    const r0 = weight * this.residual[0]!, r1 = weight * this.residual[1]!;
    const v0 = d00 * r0 + d10 * r1, v1 = d01 * r0 + d11 * r1, v2 = d02 * r0 + d12 * r1;
    // Rotation columns are D·(−[q]×), so their gradient is (−[q]×)ᵀ·v = q × v.
    g[0] += q[1]! * v2 - q[2]! * v1;
    g[1] += q[2]! * v0 - q[0]! * v2;
    g[2] += q[0]! * v1 - q[1]! * v0;
    g[3] += v0;
    g[4] += v1;
    g[5] += v2;
    const nj = this.jointColumns;
    if (nj > 0) {
      const jj = this.posed.jointJacobian;
      for (let c = 0; c < nj; c++) g[6 + c] += v0 * jj[c]! + v1 * jj[nj + c]! + v2 * jj[2 * nj + c]!;
    }
    // Expression columns are v·(R·M)·δ: pull v back to model space once.
    const m0 = v0 * M[0]! + v1 * M[3]! + v2 * M[6]!, m1 = v0 * M[1]! + v1 * M[4]! + v2 * M[7]!, m2 = v0 * M[2]! + v1 * M[5]! + v2 * M[8]!;
    const end = basis.expressionStart[p + 1]!, o = this.expressionOffset, delta = basis.expressionDelta, index = basis.expressionIndex;
    for (let k = basis.expressionStart[p]!; k < end; k++) g[o + index[k]!] += m0 * delta[3 * k]! + m1 * delta[3 * k + 1]! + m2 * delta[3 * k + 2]!;
  }

  /** Row r of the shared Jacobian: identity columns A·S_k, then the log-focal column when estimated. */
  private sharedRow(r: number, p: number, A0: number, A1: number, A2: number, focalDerivative: number, K: number): void {
    const basis = this.basis, J = this.sharedJacobian;
    const ids = basis.identityCount, o = p * ids * 3;
    for (let k = 0; k < ids; k++) {
      J[r * K + k] = A0 * basis.identity[o + 3 * k]! + A1 * basis.identity[o + 3 * k + 1]! + A2 * basis.identity[o + 3 * k + 2]!;
    }
    if (K > ids) J[r * K + ids] = focalDerivative;
  }
}
