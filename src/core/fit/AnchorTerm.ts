import { difference, FrameState, type FrameLayout } from './FrameState.js';
import type { NormalEquations } from './NormalEquations.js';

/**
 * A diagonal quadratic pull of the frame unknowns towards an anchor state:
 * E = Σ_k w_k·(x_k − a_k)², rotations compared on the manifold. One class serves the Tikhonov
 * prior (anchor zero, w = λ/std²), the temporal term (anchor the previous frame) and the
 * blendshape prior (anchor MediaPipe's scores on the expressions it names).
 */
export class AnchorTerm {
  readonly anchor: FrameState;
  /** Per unknown, in the layout's order; 0 leaves it free. */
  readonly weights: Float64Array;
  private readonly offset: Float64Array;

  constructor(layout: FrameLayout) {
    this.anchor = new FrameState(layout);
    this.weights = new Float64Array(layout.size);
    this.offset = new Float64Array(layout.size);
  }

  accumulate(state: FrameState, system?: NormalEquations): number {
    difference(state, this.anchor, this.offset);
    const n = this.weights.length;
    const hessianShare = system && system.withHessian ? 1 / system.hessianStride : 0;
    let energy = 0;
    for (let k = 0; k < n; k++) {
      const w = this.weights[k]!;
      if (w === 0) continue;
      const d = this.offset[k]!;
      energy += w * d * d;
      if (system) {
        system.gradient[k] += w * d;
        system.hessian[k * n + k] += w * hessianShare;
      }
    }
    return energy;
  }
}
