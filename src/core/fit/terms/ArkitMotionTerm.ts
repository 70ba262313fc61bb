import { ARKIT_BLENDSHAPES, mediapipeScoreIndex, scoreBeyondMargin, type ArkitMap } from '../../arkit.js';
import type { ArkitProjection } from '../../arkitProjection.js';
import type { FrameLayout, FrameState } from '../FrameState.js';
import type { NormalEquations } from '../NormalEquations.js';
import type { BlendshapePriorWeights, BlendshapeTerm } from './EnergyTerm.js';

/**
 * The blendshape prior of models whose expressions are not ARKit shapes (FLAME): the face the fit
 * makes is pulled towards the ARKit combination MediaPipe scores, measured as motion over the face
 * (`ArkitProjection`): E = (x − C·s)ᵀ H (x − C·s), with x the model's expression coefficients and
 * joint rotations, s the scores beyond the margin (`scoreBeyondMargin`, clamped at 0) and H = w_eyes·eyeMetric + w_other·otherMetric. The metrics are
 * scaled so that missing one unit of an average shape costs about w, as in the ARKit-named
 * models' prior on the coefficients themselves.
 *
 * The eyeLook shapes, which such a model reads off its eye joints (`FaceModel.arkitMap`), are
 * shapes here too: one unit is the joint's turn that reads 1, and missing it costs w_eyes, as an
 * ARKit-named model's eyeLook coefficients do. Without them the FLAME fixture's eyes, following
 * only the irises as registered on its eyeballs, rested looking up (eyeLookUp 0.23–0.33 on the
 * bench's tuned clips with the irises level with the eye joints, 0.30–0.41 before; MediaPipe
 * 0.06–0.16); with them 0–0.06. The price is the irises' own fit: their RMS (median over frames)
 * 1.0–2.1 → 2.1–3.8 px on those clips (2.3–4.2 px before), all landmarks' 2.29 → 2.31 px:
 * the gaze follows MediaPipe's scores (as `frameGaze` does) where the registered irises disagree.
 */
export class ArkitMotionTerm implements BlendshapeTerm {
  readonly name = 'blendshapes';
  active = false;
  /** The layout positions of the inputs the metrics involve, ascending. */
  private readonly unknowns: Int32Array;
  /** H over `unknowns`, [n][n]. */
  private readonly metric: Float64Array;
  /** Each shape over `unknowns` (the projection's, then the joints' from `gaze`), [shape][n], and the MediaPipe score index of each shape (−1: none). */
  private readonly shapes: Float64Array;
  private readonly scoreOf: Int32Array;
  private readonly target: Float64Array;
  private readonly offset: Float64Array;
  private readonly pull: Float64Array;
  /** Each shape's score margin (the eyes' or the rest's). */
  private readonly margins: Float64Array;

  /**
   * @param weights per unit² of an average shape, over the eyes and the rest of the face
   * @param gaze the model's map of ARKit rows read off its joints (`FaceModel.arkitMap` of a FLAME import: the eyeLooks); each of its rows on a fitted joint is a shape of its own, one unit of which costs `weights.eyes`
   */
  constructor(layout: FrameLayout, projection: ArkitProjection, weights: BlendshapePriorWeights, gaze?: ArkitMap) {
    const m = projection.rows.length, inputs = projection.shapes.length / m;
    const expressions = layout.expressionCount;
    // Input k of the projection is expression k, then joint j's axis c at expressions + 3j + c;
    // the root's rotation is the head pose, not a fitted joint.
    const position = (k: number) => (k < expressions ? layout.expressionOffset + k : k >= expressions + 3 ? layout.jointOffset + (k - expressions - 3) : -1);
    const fitted = (k: number) => position(k) >= 0 && position(k) < layout.size;
    const gazeEntries = gaze ? Array.from(gaze.row, (row, i) => ({ row, column: gaze.column[i]!, weight: gaze.weight[i]! })).filter((e) => e.weight !== 0 && e.column >= expressions + 3 && fitted(e.column) && !projection.rows.includes(e.row)) : [];
    const gazeWeight = new Map(gazeEntries.map((e) => [e.column, weights.eyes * e.weight * e.weight]));
    const used: number[] = [];
    for (let k = 0; k < inputs; k++) {
      const diagonal = projection.eyeMetric[k * inputs + k]! + projection.otherMetric[k * inputs + k]!;
      if ((diagonal > 0 || gazeWeight.has(k)) && fitted(k)) used.push(k);
    }
    used.sort((a, b) => position(a) - position(b));
    const n = used.length;
    this.unknowns = Int32Array.from(used, position);
    this.metric = new Float64Array(n * n);
    used.forEach((k, a) =>
      used.forEach((l, b) => (this.metric[a * n + b] = weights.eyes * projection.eyeMetric[k * inputs + l]! + weights.other * projection.otherMetric[k * inputs + l]! + (k === l ? (gazeWeight.get(k) ?? 0) : 0))),
    );
    const count = m + gazeEntries.length;
    this.shapes = new Float64Array(count * n);
    for (let s = 0; s < m; s++) used.forEach((k, a) => (this.shapes[s * n + a] = projection.shapes[s * inputs + k]!));
    gazeEntries.forEach((e, i) => (this.shapes[(m + i) * n + used.indexOf(e.column)] = 1 / e.weight));
    const rows = [...projection.rows, ...gazeEntries.map((e) => e.row)];
    this.scoreOf = Int32Array.from(rows, mediapipeScoreIndex);
    this.target = new Float64Array(n);
    this.offset = new Float64Array(n);
    this.pull = new Float64Array(n);
    this.margins = Float64Array.from(rows, (row) => (ARKIT_BLENDSHAPES[row]!.startsWith('eye') ? weights.eyesMargin : weights.otherMargin));
  }

  setScores(scores: Float32Array | undefined): boolean {
    if (!scores) return false;
    const n = this.unknowns.length;
    this.target.fill(0);
    for (let s = 0; s < this.scoreOf.length; s++) {
      // Clamped at 0: a projected model's inputs are not bounded there, so a negative target would ask for the opposite motion.
      const score = this.scoreOf[s]! >= 0 ? Math.max(0, scoreBeyondMargin(scores[this.scoreOf[s]!]!, this.margins[s]!)) : 0;
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
