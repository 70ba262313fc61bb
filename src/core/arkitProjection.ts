/**
 * ARKit weights for models whose expressions are not ARKit shapes (FLAME): each ARKit shape is a
 * known combination of the model's inputs (its columns C), and a fit's weights are the
 * combination of shapes in [0, 1] whose motion comes closest to the fit's:
 *
 *   w = argmin_{0 ≤ w ≤ 1} |B·C·w − B·x|² + μ|w|²  =  argmin ½wᵀAw − wᵀP·x,
 *
 * with B the model's motion per input over the face, A = CᵀBᵀBC + μI and P = CᵀBᵀB. The bounds
 * matter: ARKit's shapes overlap (blink, squint and cheek squint all move the lids), and an
 * unbounded projection pays for one with negative amounts of its neighbours.
 *
 * Overlap leaves some combinations nearly indistinguishable by motion (0.5 eyeBlink with 1
 * eyeWide barely moves the lid), and a fit's small departures from the shapes (a face that is not
 * quite the model's) then read as such pairs. Given MediaPipe's scores s, the solve settles those
 * as MediaPipe reads the face: + ρ Σ A_aa (w_a − s_a)², each shape weighed by its own motion, so
 * that a shape's full motion outweighs its score 1/ρ to 1. As the blendshape prior does for an
 * ARKit-named model's coefficients.
 *
 * The same shapes let MediaPipe's blendshape scores steer such a model's fit as they steer an
 * ARKit-named one (see `ArkitMotionTerm`): `shapes` gives each shape as the model's inputs, and the
 * two motion metrics measure how far a fit's face is from the scored combination.
 */
import { ARKIT_BLENDSHAPES, mediapipeScoreIndex } from './arkit.js';
import { choleskyFactor, choleskySolve } from './fit/cholesky.js';

export interface ArkitProjection {
  /** The ARKit row (index into `ARKIT_BLENDSHAPES`) of each of the m shapes. */
  readonly rows: Uint8Array;
  /** A, [m][m], symmetric positive definite. */
  readonly gram: Float32Array;
  /**
   * P, [m][inputs]; the inputs are the expression coefficients followed by the joint rotations
   * (axis-angle, [joint][3], root first), as for `ArkitMap`.
   */
  readonly basis: Float32Array;
  /** C: each shape as the model's inputs, [m][inputs]. */
  readonly shapes: Float32Array;
  /**
   * BᵀB over the eyes (where the eyeBlink, eyeSquint and eyeWide shapes move the face) and over
   * the rest of the face, [inputs][inputs] each, scaled so that one unit of an average ARKit shape
   * of that region measures 1.
   */
  readonly eyeMetric: Float32Array;
  readonly otherMetric: Float32Array;
}

/** The shapes whose motion `eyeMetric` measures. */
export const ARKIT_EYE_SHAPES = /^eye(Blink|Squint|Wide)(Left|Right)$/;

/**
 * How much MediaPipe's scores weigh against the motion (ρ above). On the sample video with the
 * FLAME fixture, open eyes read eyeBlink 0.5 with eyeWide 1 at 0, eyeBlink 0.2 with eyeWide 0.1
 * at 0.1, while the winks still read 0.7 against 0.3 on the open eye; mean |w − s| 0.13 → 0.06.
 */
export const ARKIT_SCORE_WEIGHT = 0.1;

/** Solves an `ArkitProjection` for one fit; reuses its buffers, so one per fitter. */
export class ArkitProjector {
  private readonly projection: ArkitProjection;
  private readonly inputCount: number;
  private readonly target: Float64Array;
  /** The last solution: consecutive frames differ little, so it starts the next solve. */
  private readonly weights: Float64Array;
  private readonly solver: BoxedQuadratic;
  /** A with ρ·A_aa added on the diagonal, for frames with scores. */
  private readonly anchoredGram: Float32Array;
  /** Each shape's index in MediaPipe's scores (−1: not scored). */
  private readonly scoreIndex: Int32Array;

  constructor(projection: ArkitProjection) {
    const m = projection.rows.length;
    if (projection.gram.length !== m * m || projection.basis.length % m !== 0) throw new Error('ArkitProjector: the projection is malformed');
    this.projection = projection;
    this.inputCount = projection.basis.length / m;
    this.target = new Float64Array(m);
    this.weights = new Float64Array(m);
    this.solver = new BoxedQuadratic(m);
    this.anchoredGram = Float32Array.from(projection.gram, (v, i) => (i % (m + 1) === 0 ? v * (1 + ARKIT_SCORE_WEIGHT) : v));
    this.scoreIndex = Int32Array.from(projection.rows, mediapipeScoreIndex);
  }

  /**
   * Writes the weights of the projected shapes into `out` (ARKit-52 order), leaving its other rows
   * as they are. `scores`: MediaPipe's blendshape scores for the frame (`MEDIAPIPE_BLENDSHAPES`
   * order), which settle what the motion leaves open.
   */
  solve(expression: ArrayLike<number>, jointRotations: ArrayLike<number> | undefined, out: Float32Array = new Float32Array(ARKIT_BLENDSHAPES.length), scores?: ArrayLike<number>): Float32Array {
    const { rows, basis } = this.projection;
    const gram = scores ? this.anchoredGram : this.projection.gram;
    const m = rows.length, n = this.inputCount, count = expression.length;
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        const x = k < count ? expression[k]! : (jointRotations?.[k - count] ?? 0);
        if (x !== 0) s += basis[a * n + k]! * x;
      }
      const index = this.scoreIndex[a]!;
      if (scores && index >= 0) s += ARKIT_SCORE_WEIGHT * this.projection.gram[a * m + a]! * scores[index]!;
      this.target[a] = s;
    }
    this.solver.solve(gram, this.target, this.weights);
    for (let a = 0; a < m; a++) out[rows[a]!] = this.weights[a]!;
    return out;
  }
}

/**
 * min ½wᵀAw − bᵀw over 0 ≤ w ≤ 1 for symmetric positive definite A, by a primal active-set method
 * (Nocedal & Wright, Numerical Optimization, 16.5): the weights held at a bound stay there while
 * the free ones are solved for exactly; a free one that would leave the box stops at its bound
 * and is held, a held one whose gradient pulls it inside is freed. Exact in finitely many steps,
 * unlike projected Gauss–Seidel, which crawls along overlapping shapes; warm-started from the
 * previous frame's weights, a frame usually takes one or two solves.
 */
class BoxedQuadratic {
  private readonly held: Uint8Array;
  private readonly free: Int32Array;
  private readonly matrix: Float64Array;
  private readonly candidate: Float64Array;

  constructor(m: number) {
    this.held = new Uint8Array(m);
    this.free = new Int32Array(m);
    this.matrix = new Float64Array(m * m);
    this.candidate = new Float64Array(m);
  }

  /** Solves in place, from `w` (clamped into the box; its weights on a bound start held). */
  solve(A: Float32Array, b: Float64Array, w: Float64Array): void {
    const m = w.length, held = this.held, x = this.candidate;
    for (let a = 0; a < m; a++) {
      w[a] = Math.min(1, Math.max(0, w[a]!));
      held[a] = w[a] === 0 || w[a] === 1 ? 1 : 0;
    }
    for (let iteration = 0; iteration < 4 * m; iteration++) {
      if (!this.solveFree(A, b, w)) return;
      // Step towards the candidate until a free weight meets its bound.
      let step = 1, blocking = -1;
      for (let a = 0; a < m; a++) {
        if (held[a]) continue;
        const target = x[a]!, from = w[a]!;
        if (target < 0 && from - target > 0) {
          const t = from / (from - target);
          if (t < step) [step, blocking] = [t, a];
        } else if (target > 1 && target - from > 0) {
          const t = (1 - from) / (target - from);
          if (t < step) [step, blocking] = [t, a];
        }
      }
      for (let a = 0; a < m; a++) if (!held[a]) w[a] = w[a]! + step * (x[a]! - w[a]!);
      if (blocking >= 0) {
        w[blocking] = x[blocking]! < 0 ? 0 : 1;
        held[blocking] = 1;
        continue;
      }
      // At the free optimum: free the held weight whose gradient pulls inside the most, or stop.
      let release = -1, worst = 1e-12;
      for (let a = 0; a < m; a++) {
        if (!held[a]) continue;
        let g = -b[a]!;
        for (let c = 0; c < m; c++) g += A[a * m + c]! * w[c]!;
        const pull = w[a] === 0 ? -g : g;
        if (pull > worst) [worst, release] = [pull, a];
      }
      if (release < 0) return;
      held[release] = 0;
    }
  }

  /** Writes to `candidate` the free weights' optimum with the held ones fixed (held entries: their values); false if singular. */
  private solveFree(A: Float32Array, b: Float64Array, w: Float64Array): boolean {
    const m = w.length, M = this.matrix, x = this.candidate, held = this.held;
    let f = 0;
    for (let a = 0; a < m; a++) if (!held[a]) this.free[f++] = a;
    x.set(w);
    if (f === 0) return true;
    const rhs = new Float64Array(f);
    for (let i = 0; i < f; i++) {
      const a = this.free[i]!;
      let s = b[a]!;
      for (let c = 0; c < m; c++) if (held[c]) s -= A[a * m + c]! * w[c]!;
      rhs[i] = s;
      for (let j = 0; j < f; j++) M[i * f + j] = A[a * m + this.free[j]!]!;
    }
    if (!choleskyFactor(M, f)) return false;
    choleskySolve(M, f, rhs);
    for (let i = 0; i < f; i++) x[this.free[i]!] = rhs[i]!;
    return true;
  }
}
