import { difference, FrameState, type FrameLayout } from '../FrameState.js';
import type { NormalEquations } from '../NormalEquations.js';
import type { EnergyTerm } from './EnergyTerm.js';

/**
 * A diagonal quadratic pull of the frame unknowns towards an anchor state:
 * E = Σ_k w_k·(x_k − a_k)², rotations compared on the manifold. One class serves the Tikhonov
 * prior (anchor zero, w = λ/std²), the temporal term (anchor the previous frame) and the
 * blendshape prior (anchor MediaPipe's scores on the expressions it names).
 */
export class AnchorTerm implements EnergyTerm {
  readonly anchor: FrameState;
  /** Whether it takes part this frame (the temporal term rests on a re-initialisation, the blendshape prior without scores). */
  active = true;
  /** Per unknown, in the layout's order; 0 leaves it free. */
  readonly weights: Float64Array;
  private readonly offset: Float64Array;
  private readonly jacobian = new Float64Array(9);

  constructor(
    readonly name: string,
    layout: FrameLayout,
  ) {
    this.anchor = new FrameState(layout);
    this.weights = new Float64Array(layout.size);
    this.offset = new Float64Array(layout.size);
  }

  accumulate(state: FrameState, system?: NormalEquations): number {
    difference(state, this.anchor, this.offset);
    const n = this.weights.length;
    const withHessian = system !== undefined && system.withHessian;
    let energy = 0;
    if (this.weights[0] !== 0 || this.weights[1] !== 0 || this.weights[2] !== 0) energy += this.rotation(system, withHessian);
    for (let k = 3; k < n; k++) {
      const w = this.weights[k]!;
      if (w === 0) continue;
      const d = this.offset[k]!;
      energy += w * d * d;
      if (system) {
        system.gradient[k] += w * d;
        if (withHessian) system.hessian[k * n + k] += w;
      }
    }
    return energy;
  }

  /**
   * The rotation's part: φ = log(R·R_anchorᵀ) moves with the left increment δ as
   * J_l⁻¹(φ)·δ (the inverse left Jacobian of SO(3)), so g = Jᵀ·W·φ and H = Jᵀ·W·J.
   */
  private rotation(system: NormalEquations | undefined, withHessian: boolean): number {
    const phi = this.offset, w = this.weights, J = this.jacobian;
    const x = phi[0]!, y = phi[1]!, z = phi[2]!, angle = Math.hypot(x, y, z);
    // J_l⁻¹ = I − ½[φ]× + c·[φ]×², c = 1/θ² − (1 + cos θ)/(2θ sin θ) (→ 1/12 at 0).
    const c = angle < 1e-4 ? 1 / 12 : 1 / (angle * angle) - (1 + Math.cos(angle)) / (2 * angle * Math.sin(angle));
    const xx = x * x, yy = y * y, zz = z * z;
    J[0] = 1 - c * (yy + zz); J[1] = z / 2 + c * x * y; J[2] = -y / 2 + c * x * z;
    J[3] = -z / 2 + c * x * y; J[4] = 1 - c * (xx + zz); J[5] = x / 2 + c * y * z;
    J[6] = y / 2 + c * x * z; J[7] = -x / 2 + c * y * z; J[8] = 1 - c * (xx + yy);
    let energy = 0;
    for (let k = 0; k < 3; k++) energy += w[k]! * phi[k]! * phi[k]!;
    if (!system) return energy;
    const n = system.size;
    for (let a = 0; a < 3; a++) {
      for (let k = 0; k < 3; k++) system.gradient[a] += J[3 * k + a]! * w[k]! * phi[k]!;
      if (!withHessian) continue;
      for (let b = a; b < 3; b++) {
        let h = 0;
        for (let k = 0; k < 3; k++) h += J[3 * k + a]! * w[k]! * J[3 * k + b]!;
        system.hessian[a * n + b] += h;
      }
    }
    return energy;
  }
}
