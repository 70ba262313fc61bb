import type { Skeleton } from '../model/FaceModel.js';
import { poseFeature, skinningTransforms } from '../model/skinning.js';
import type { FrameState } from './FrameState.js';
import type { SparsePointBasis } from './SparsePointBasis.js';

const scratchSkinned = new Float64Array(3);

/** One point of a basis under the current frame state; scratch reused for every point. */
export class PosedPoint {
  /** Model space after skinning. */
  readonly skinned = new Float64Array(3);
  /** R·skinned: camera space minus the translation. */
  readonly rotated = new Float64Array(3);
  /** Camera space. */
  readonly camera = new Float64Array(3);
  /** R·M with M the skin-weighted blend of joint rotations (M = I unskinned): maps a model-space delta to camera space. */
  readonly deltaToCamera = new Float64Array(9);
  /** d camera / d joint increments, [3][3·fittedJoints] row-major (skinned models). */
  readonly jointJacobian: Float64Array;

  constructor(fittedJoints: number) {
    this.jointJacobian = new Float64Array(9 * fittedJoints);
  }
}

/**
 * The frame's rigid pose and, for skinned models, its joint transforms: poses basis points and
 * gives their derivatives in the joint rotations.
 *
 * Joint increments are added to the local axis-angle θ; R(θ + δ) = R(θ)·exp(J_r(θ)·δ) with J_r
 * the right Jacobian of SO(3), which the joint Jacobian includes. Pose correctives and the joint
 * positions' dependence on expression are evaluated but left out of the Jacobians.
 */
export class Kinematics {
  readonly skeleton?: Skeleton;
  readonly jointCount: number;
  readonly fittedJoints: number;
  /** Rest joint positions for the current shape, [jointCount][3]; set by the fitter on shape changes. */
  readonly restJoints: Float64Array;
  /** [jointCount][12] world transforms composed with the inverse rest transform. */
  private transforms: Float64Array;
  /** [jointCount][3] joint positions after posing. */
  private readonly centers: Float64Array;
  private readonly poseCoefficients: Float64Array<ArrayBuffer>;
  /** descendant[j·J + k] = 1 when joint k is j or below it. */
  private readonly descendant: Uint8Array;
  private readonly rotations: Float64Array;
  /** [jointCount][9]: joint j's world rotation times J_r(θ_j): d(world turn)/dδ_j. */
  private readonly axes: Float64Array;
  private rotation!: Float64Array;
  private translation!: Float64Array;

  constructor(skeleton: Skeleton | undefined) {
    this.skeleton = skeleton;
    const j = skeleton ? skeleton.jointNames.length : 0;
    this.jointCount = j;
    this.fittedJoints = Math.max(0, j - 1);
    this.restJoints = new Float64Array(3 * j);
    this.transforms = new Float64Array(12 * j);
    this.centers = new Float64Array(3 * j);
    this.poseCoefficients = new Float64Array(9 * this.fittedJoints);
    this.rotations = new Float64Array(3 * j);
    this.axes = new Float64Array(9 * j);
    this.descendant = new Uint8Array(j * j);
    if (skeleton) {
      for (let k = 0; k < j; k++) {
        for (let a = k; a >= 0; a = skeleton.parents[a]!) this.descendant[a * j + k] = 1;
      }
    }
  }

  /** Takes the frame state's pose (call before posing points, after every state change). */
  update(state: FrameState): void {
    this.rotation = state.rotation;
    this.translation = state.translation;
    const skeleton = this.skeleton;
    if (!skeleton) return;
    // The root stays at rest: the head pose plays its part.
    this.rotations.fill(0, 0, 3);
    this.rotations.set(state.joints, 3);
    const { transforms, localRotations } = skinningTransforms(skeleton, this.restJoints, this.rotations);
    this.transforms = transforms;
    poseFeature(localRotations, this.jointCount, this.poseCoefficients);
    for (let j = 1; j < this.jointCount; j++) this.jointAxes(j);
    for (let j = 0; j < this.jointCount; j++) {
      const t = 12 * j, x = this.restJoints[3 * j]!, y = this.restJoints[3 * j + 1]!, z = this.restJoints[3 * j + 2]!;
      for (let r = 0; r < 3; r++) {
        this.centers[3 * j + r] = transforms[t + 4 * r]! * x + transforms[t + 4 * r + 1]! * y + transforms[t + 4 * r + 2]! * z + transforms[t + 4 * r + 3]!;
      }
    }
  }

  /** axes[j] = (world rotation of j) · J_r(θ_j), J_r(φ) = I − a[φ]× + b[φ]×², a = (1 − cos θ)/θ², b = (θ − sin θ)/θ³. */
  private jointAxes(j: number): void {
    const x = this.rotations[3 * j]!, y = this.rotations[3 * j + 1]!, z = this.rotations[3 * j + 2]!;
    const angle = Math.hypot(x, y, z), a2 = angle * angle;
    const a = angle < 1e-4 ? 0.5 - a2 / 24 : (1 - Math.cos(angle)) / a2;
    const b = angle < 1e-4 ? 1 / 6 - a2 / 120 : (angle - Math.sin(angle)) / (a2 * angle);
    const jr = [
      1 - b * (y * y + z * z), a * z + b * x * y, -a * y + b * x * z,
      -a * z + b * x * y, 1 - b * (x * x + z * z), a * x + b * y * z,
      a * y + b * x * z, -a * x + b * y * z, 1 - b * (x * x + y * y),
    ];
    const T = this.transforms, t = 12 * j, o = 9 * j;
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) this.axes[o + 3 * r + c] = T[t + 4 * r]! * jr[c]! + T[t + 4 * r + 1]! * jr[3 + c]! + T[t + 4 * r + 2]! * jr[6 + c]!;
    }
  }

  /**
   * Poses point `p` of `basis` at the expression set on it (`SparsePointBasis.setExpression`):
   * fills `out` (skinned, rotated, camera, deltaToCamera; jointJacobian when `withJoints`).
   */
  pose(basis: SparsePointBasis, p: number, out: PosedPoint, withJoints: boolean): void {
    const o = basis.shape(p), shaped = basis.shaped;
    let x = shaped[o]!, y = shaped[o + 1]!, z = shaped[o + 2]!;
    const R = this.rotation;
    const s = out.skinned;
    const m = out.deltaToCamera;
    if (this.skeleton && basis.skinWeights) {
      if (basis.pose) {
        const o = p * basis.poseCount * 3;
        for (let k = 0; k < basis.poseCount; k++) {
          const c = this.poseCoefficients[k]!;
          x += c * basis.pose[o + 3 * k]!;
          y += c * basis.pose[o + 3 * k + 1]!;
          z += c * basis.pose[o + 3 * k + 2]!;
        }
      }
      this.skin(basis.skinWeights, p, x, y, z, s, m);
      if (withJoints) this.jointJacobian(basis.skinWeights, p, x, y, z, out.jointJacobian);
    } else {
      s[0] = x; s[1] = y; s[2] = z;
      copy9(R, m);
    }
    const q = out.rotated;
    q[0] = R[0]! * s[0]! + R[1]! * s[1]! + R[2]! * s[2]!;
    q[1] = R[3]! * s[0]! + R[4]! * s[1]! + R[5]! * s[2]!;
    q[2] = R[6]! * s[0]! + R[7]! * s[1]! + R[8]! * s[2]!;
    out.camera[0] = q[0]! + this.translation[0]!;
    out.camera[1] = q[1]! + this.translation[1]!;
    out.camera[2] = q[2]! + this.translation[2]!;
  }

  /** R·M for point `p` (M the skin-weighted blend of joint rotations; the identity unskinned): how a model-space direction turns into camera space. */
  deltaToCamera(skinWeights: Float32Array | undefined, p: number, out: Float64Array): void {
    if (!this.skeleton || !skinWeights) {
      copy9(this.rotation, out);
      return;
    }
    this.skin(skinWeights, p, 0, 0, 0, scratchSkinned, out);
  }

  /**
   * d(R·M·v)/dδ for each fitted joint (v a model-space direction, M the skin-weighted blend of
   * joint rotations), [3][3·fittedJoints]: joint j's increment turns R_k·v of every joint k at
   * or below it by the world axis W_j·δ.
   */
  turnJacobian(weights: Float32Array, p: number, x: number, y: number, z: number, out: Float64Array): void {
    this.rotationJacobian(weights, p, x, y, z, false, out);
  }

  /** s = Σ w_j T_j·x; m = R · Σ w_j R_j. */
  private skin(weights: Float32Array, p: number, x: number, y: number, z: number, s: Float64Array, m: Float64Array): void {
    const J = this.jointCount, T = this.transforms;
    let sx = 0, sy = 0, sz = 0;
    let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0;
    for (let j = 0; j < J; j++) {
      const w = weights[p * J + j]!;
      if (w === 0) continue;
      const t = 12 * j;
      sx += w * (T[t]! * x + T[t + 1]! * y + T[t + 2]! * z + T[t + 3]!);
      sy += w * (T[t + 4]! * x + T[t + 5]! * y + T[t + 6]! * z + T[t + 7]!);
      sz += w * (T[t + 8]! * x + T[t + 9]! * y + T[t + 10]! * z + T[t + 11]!);
      m0 += w * T[t]!; m1 += w * T[t + 1]!; m2 += w * T[t + 2]!;
      m3 += w * T[t + 4]!; m4 += w * T[t + 5]!; m5 += w * T[t + 6]!;
      m6 += w * T[t + 8]!; m7 += w * T[t + 9]!; m8 += w * T[t + 10]!;
    }
    s[0] = sx; s[1] = sy; s[2] = sz;
    const R = this.rotation;
    for (let r = 0; r < 3; r++) {
      const a = R[3 * r]!, b = R[3 * r + 1]!, c = R[3 * r + 2]!;
      m[3 * r] = a * m0 + b * m3 + c * m6;
      m[3 * r + 1] = a * m1 + b * m4 + c * m7;
      m[3 * r + 2] = a * m2 + b * m5 + c * m8;
    }
  }

  /**
   * d camera / d δ_j for each fitted joint j: a local increment δ turns the subtree of j about
   * its posed centre c_j by the world axis R_j·δ, so a point carried by joint k (below j) moves
   * by (R_j δ) × (T_k x − c_j); camera space adds the head rotation.
   */
  private jointJacobian(weights: Float32Array, p: number, x: number, y: number, z: number, out: Float64Array): void {
    this.rotationJacobian(weights, p, x, y, z, true, out);
  }

  /**
   * B_j = R·A_j·W_j per fitted joint j (W_j: its world rotation times its right Jacobian), with
   * A_j = Σ_k w_k·(−[d_k]×) over the joints k at or below j: d_k = T_k·x − c_j for a point
   * (`point`), the turned direction T_k·x (no translation, no centre) for a direction.
   */
  private rotationJacobian(weights: Float32Array, p: number, x: number, y: number, z: number, point: boolean, out: Float64Array): void {
    const J = this.jointCount, T = this.transforms, R = this.rotation, W = this.axes, C = this.centers;
    const cols = 3 * this.fittedJoints;
    out.fill(0);
    for (let j = 1; j < J; j++) {
      let a01 = 0, a02 = 0, a10 = 0, a12 = 0, a20 = 0, a21 = 0, any = false;
      const cx = point ? C[3 * j]! : 0, cy = point ? C[3 * j + 1]! : 0, cz = point ? C[3 * j + 2]! : 0;
      for (let k = 0; k < J; k++) {
        const w = weights[p * J + k]!;
        if (w === 0 || !this.descendant[j * J + k]) continue;
        any = true;
        const t = 12 * k;
        const dx = T[t]! * x + T[t + 1]! * y + T[t + 2]! * z + (point ? T[t + 3]! : 0) - cx;
        const dy = T[t + 4]! * x + T[t + 5]! * y + T[t + 6]! * z + (point ? T[t + 7]! : 0) - cy;
        const dz = T[t + 8]! * x + T[t + 9]! * y + T[t + 10]! * z + (point ? T[t + 11]! : 0) - cz;
        // −[d]× = [[0, dz, −dy], [−dz, 0, dx], [dy, −dx, 0]]
        a01 += w * dz; a02 -= w * dy; a10 -= w * dz; a12 += w * dx; a20 += w * dy; a21 -= w * dx;
      }
      if (!any) continue;
      const t = 9 * j, col = 3 * (j - 1);
      for (let r = 0; r < 3; r++) {
        // row r of R·A
        const ra0 = R[3 * r + 1]! * a10 + R[3 * r + 2]! * a20;
        const ra1 = R[3 * r]! * a01 + R[3 * r + 2]! * a21;
        const ra2 = R[3 * r]! * a02 + R[3 * r + 1]! * a12;
        for (let c = 0; c < 3; c++) out[r * cols + col + c] = ra0 * W[t + c]! + ra1 * W[t + 3 + c]! + ra2 * W[t + 6 + c]!;
      }
    }
  }
}

/** A 3×3 copy (TypedArray.set costs more than the copy itself at this size). */
function copy9(from: Float64Array, to: Float64Array): void {
  to[0] = from[0]!; to[1] = from[1]!; to[2] = from[2]!;
  to[3] = from[3]!; to[4] = from[4]!; to[5] = from[5]!;
  to[6] = from[6]!; to[7] = from[7]!; to[8] = from[8]!;
}
