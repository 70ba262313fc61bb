import { mediapipeScoreIndex, scoreBeyondMargin } from '../../arkit.js';
import type { ArkitProjection } from '../../arkitProjection.js';
import type { FrameLayout, FrameState } from '../FrameState.js';
import type { NormalEquations } from '../NormalEquations.js';
import type { BlendshapeTerm } from './EnergyTerm.js';

/**
 * The blendshape prior of models whose expressions are not ARKit shapes (FLAME): the face the fit
 * makes is pulled towards the ARKit combination MediaPipe scores, measured as motion over the face
 * (`ArkitProjection`): E = (x − C·s)ᵀ H (x − C·s), with x the model's expression coefficients and
 * joint rotations, s the scores beyond the margin (`scoreBeyondMargin`, clamped at 0) and H = w_eyes·eyeMetric + w_other·otherMetric. The metrics are
 * scaled so that missing one unit of an average shape costs about w, as in the ARKit-named
 * models' prior on the coefficients themselves.
 */
export class ArkitMotionTerm implements BlendshapeTerm {
  readonly name = 'blendshapes';
  active = false;
  /** The layout positions of the inputs the metrics involve, ascending. */
  private readonly unknowns: Int32Array;
  /** H over `unknowns`, [n][n]. */
  private readonly metric: Float64Array;
  /** Each shape over `unknowns`, [m][n], and the MediaPipe score index of each shape (−1: none). */
  private readonly shapes: Float64Array;
  private readonly scoreOf: Int32Array;
  private readonly target: Float64Array;
  private readonly offset: Float64Array;
  private readonly pull: Float64Array;
  private readonly margin: number;

  /** @param weights per unit² of an average shape, over the eyes and the rest of the face */
  constructor(layout: FrameLayout, projection: ArkitProjection, weights: { eyes: number; other: number; margin: number }) {
    const m = projection.rows.length, inputs = projection.shapes.length / m;
    const expressions = layout.expressionCount;
    // Input k of the projection is expression k, then joint j's axis c at expressions + 3j + c;
    // the root's rotation is the head pose, not a fitted joint.
    const position = (k: number) => (k < expressions ? layout.expressionOffset + k : k >= expressions + 3 ? layout.jointOffset + (k - expressions - 3) : -1);
    const used: number[] = [];
    for (let k = 0; k < inputs; k++) {
      const diagonal = projection.eyeMetric[k * inputs + k]! + projection.otherMetric[k * inputs + k]!;
      if (diagonal > 0 && position(k) >= 0 && position(k) < layout.size) used.push(k);
    }
    used.sort((a, b) => position(a) - position(b));
    const n = used.length;
    this.unknowns = Int32Array.from(used, position);
    this.metric = new Float64Array(n * n);
    used.forEach((k, a) =>
      used.forEach((l, b) => (this.metric[a * n + b] = weights.eyes * projection.eyeMetric[k * inputs + l]! + weights.other * projection.otherMetric[k * inputs + l]!)),
    );
    this.shapes = new Float64Array(m * n);
    for (let s = 0; s < m; s++) used.forEach((k, a) => (this.shapes[s * n + a] = projection.shapes[s * inputs + k]!));
    this.scoreOf = Int32Array.from(projection.rows, mediapipeScoreIndex);
    this.target = new Float64Array(n);
    this.offset = new Float64Array(n);
    this.pull = new Float64Array(n);
    this.margin = weights.margin;
  }

  setScores(scores: Float32Array | undefined): boolean {
    if (!scores) return false;
    const n = this.unknowns.length;
    this.target.fill(0);
    for (let s = 0; s < this.scoreOf.length; s++) {
      // Clamped at 0: a projected model's inputs are not bounded there, so a negative target would ask for the opposite motion.
      const score = this.scoreOf[s]! >= 0 ? Math.max(0, scoreBeyondMargin(scores[this.scoreOf[s]!]!, this.margin)) : 0;
      if (score !== 0) for (let a = 0; a < n; a++) this.target[a] += score * this.shapes[s * n + a]!;
    }
    return true;
  }

  accumulate(state: FrameState, system?: NormalEquations): number {
    const n = this.unknowns.length, H = this.metric, d = this.offset, Hd = this.pull;
    for (let a = 0; a < n; a++) d[a] = state.bounded(this.unknowns[a]!) - this.target[a]!;
    let energy = 0;
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let b = 0; b < n; b++) s += H[a * n + b]! * d[b]!;
      Hd[a] = s;
      energy += d[a]! * s;
    }
    if (!system) return energy;
    const size = system.size;
    for (let a = 0; a < n; a++) {
      const row = this.unknowns[a]!;
      system.gradient[row] += Hd[a]!;
      if (!system.withHessian) continue;
      for (let b = a; b < n; b++) system.hessian[row * size + this.unknowns[b]!] += H[a * n + b]!;
    }
    return energy;
  }
}
