import { axisAngleToMatrix, matrixToAxisAngle, multiplyMat3 } from '../math/rotation.js';

/**
 * The per-frame unknowns and their order in the normal equations:
 * [0, 3) head rotation increment (axis-angle, left-multiplied: R ← exp(δ)·R),
 * [3, 6) translation, then 3 per fitted joint (the skeleton's non-root joints; the head pose
 * plays the root), then the expression coefficients.
 */
export class FrameLayout {
  readonly fittedJoints: number;
  readonly expressionCount: number;
  readonly jointOffset = 6;
  readonly expressionOffset: number;
  readonly size: number;

  constructor(fittedJoints: number, expressionCount: number) {
    this.fittedJoints = fittedJoints;
    this.expressionCount = expressionCount;
    this.expressionOffset = 6 + 3 * fittedJoints;
    this.size = this.expressionOffset + expressionCount;
  }
}

/** Values of the per-frame unknowns. */
export class FrameState {
  readonly layout: FrameLayout;
  /** Head rotation, row-major 3x3 (model → camera). */
  readonly rotation = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  readonly translation = new Float64Array(3);
  /** Axis-angle of each fitted (non-root) joint, radians. */
  readonly joints: Float64Array;
  readonly expression: Float64Array;

  constructor(layout: FrameLayout) {
    this.layout = layout;
    this.joints = new Float64Array(3 * layout.fittedJoints);
    this.expression = new Float64Array(layout.expressionCount);
  }

  copyFrom(other: FrameState): this {
    this.rotation.set(other.rotation);
    this.translation.set(other.translation);
    this.joints.set(other.joints);
    this.expression.set(other.expression);
    return this;
  }

  setRotation(axisAngle: ArrayLike<number>): void {
    axisAngleToMatrix(axisAngle[0]!, axisAngle[1]!, axisAngle[2]!, this.rotation);
  }

  /** The value of a boundable unknown (a joint component or an expression), by its index in the layout. */
  bounded(k: number): number {
    const layout = this.layout;
    return k < layout.expressionOffset ? this.joints[k - layout.jointOffset]! : this.expression[k - layout.expressionOffset]!;
  }

  rotationAxisAngle(out = new Float64Array(3)): Float64Array {
    return matrixToAxisAngle(this.rotation, out);
  }
}

const scratchDelta = new Float64Array(9);
const scratchProduct = new Float64Array(9);

/**
 * out = state ⊞ step: rotation on the manifold, the rest additively, joints and expressions
 * clamped to their bounds. `out` may be `state`.
 */
export function retract(state: FrameState, step: ArrayLike<number>, lower: Float64Array, upper: Float64Array, out: FrameState): void {
  const layout = state.layout;
  axisAngleToMatrix(step[0]!, step[1]!, step[2]!, scratchDelta);
  multiplyMat3(scratchDelta, state.rotation, scratchProduct);
  out.rotation.set(scratchProduct);
  for (let c = 0; c < 3; c++) out.translation[c] = state.translation[c]! + step[3 + c]!;
  const jo = layout.jointOffset;
  for (let j = 0; j < state.joints.length; j++) out.joints[j] = Math.min(upper[jo + j]!, Math.max(lower[jo + j]!, state.joints[j]! + step[jo + j]!));
  const o = layout.expressionOffset;
  for (let e = 0; e < state.expression.length; e++) {
    out.expression[e] = Math.min(upper[o + e]!, Math.max(lower[o + e]!, state.expression[e]! + step[o + e]!));
  }
}

/**
 * The coordinates of `state` relative to `anchor` in the unknowns' order: the rotation as
 * log(R · R_anchorᵀ) (so that its derivative in δ is the identity to first order), the rest as
 * differences.
 */
export function difference(state: FrameState, anchor: FrameState, out: Float64Array): void {
  const a = state.rotation, b = anchor.rotation;
  // R · Bᵀ
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) scratchProduct[3 * r + c] = a[3 * r]! * b[3 * c]! + a[3 * r + 1]! * b[3 * c + 1]! + a[3 * r + 2]! * b[3 * c + 2]!;
  }
  matrixToAxisAngle(scratchProduct, scratchDelta);
  out[0] = scratchDelta[0]!;
  out[1] = scratchDelta[1]!;
  out[2] = scratchDelta[2]!;
  for (let c = 0; c < 3; c++) out[3 + c] = state.translation[c]! - anchor.translation[c]!;
  const layout = state.layout;
  for (let j = 0; j < state.joints.length; j++) out[layout.jointOffset + j] = state.joints[j]! - anchor.joints[j]!;
  for (let e = 0; e < state.expression.length; e++) out[layout.expressionOffset + e] = state.expression[e]! - anchor.expression[e]!;
}
