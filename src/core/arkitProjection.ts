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
 * as MediaPipe reads the face: + ρ Σ A_aa (w_a − t_a)², each shape weighed by its own motion, with
 * t_a = `scoreBeyondMargin`(s_a): the score less the blendshape prior's margin (the eyes' or the
 * rest's, `FitWeights.blendshapeMarginEyes`, `blendshapeMarginOther`), below 0 under it, so that
 * on the bound 0 a small score is also a pull to 0, as the ARKit-named models' prior is.
 *
 * Antagonist pairs (`ARKIT_ANTAGONISTS`: smile and frown, wide and squint, …) are exclusive inside
 * the solve: while both of a pair are above 0, the member whose holding at 0 costs less is held
 * there and the rest solved again. Each such problem stays convex (one more weight on its bound);
 * the frame's cost, the lower of two, stays continuous, while the weights switch member where the
 * two costs cross. Left
 * to `separateAntagonists` after the solve, the pairs' common part was already spent on the
 * overlapping shapes (tuned clips: both of a pair above 0.1 in up to 24 % of the frames before
 * that subtraction, moving shapes' correlation median 0.94 against 0.95 exclusive in the solve).
 *
 * The same shapes let MediaPipe's blendshape scores steer such a model's fit as they steer an
 * ARKit-named one (see `ArkitMotionTerm`): `shapes` gives each shape as the model's inputs, and the
 * two motion metrics measure how far a fit's face is from the scored combination.
 */
import { ARKIT_ANTAGONISTS, ARKIT_BLENDSHAPES, mediapipeScoreIndex, scoreBeyondMargin } from './arkit.js';
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
 * How much MediaPipe's scores weigh against the motion (ρ above): a shape's full motion and its
 * full score weigh the same. Measured by `npm run bench -- blendshapes --model flame.glb` on the
 * tuned clips (with the margins and exclusive antagonists): ρ = 0.1 left the resting weights above
 * MediaPipe's (the fit's small departures read as mouthPress, mouthShrug, mouthFrown at 0.1–0.3);
 * ρ = 1 rests below it on every clip with moving shapes' correlation median 0.95; ρ = 2 copies the
 * scores more for little gain (0.96).
 */
export const ARKIT_SCORE_WEIGHT = 1;

/** MediaPipe's score margins (`FitWeights.blendshapeMarginEyes`, `blendshapeMarginOther`): below them a score asks for 0. */
export interface ArkitScoreMargins {
  eyes: number;
  other: number;
}

/** Solves an `ArkitProjection` for one fit, at most one shape of each antagonist pair above 0; reuses its buffers, so one per fitter. */
export class ArkitProjector {
  private readonly projection: ArkitProjection;
  private readonly inputCount: number;
  private readonly target: Float64Array;
  /** The last solution: consecutive frames differ little, so it starts the next solve. */
  private readonly weights: Float64Array;
  private readonly trial: Float64Array;
  private readonly solver: BoxedQuadratic;
  /** A with ρ·A_aa added on the diagonal, for frames with scores. */
  private readonly anchoredGram: Float32Array;
  /** Each shape's index in MediaPipe's scores (−1: not scored), and its score margin. */
  private readonly scoreIndex: Int32Array;
  private readonly margins: Float64Array;
  /** The antagonist pairs (`ARKIT_ANTAGONISTS`) among the shapes, as shape indices. */
  private readonly antagonists: (readonly [number, number])[];
  /** Shapes held at 0 in this frame's solve (one of each antagonist pair found both active). */
  private readonly locked: Uint8Array;

  constructor(projection: ArkitProjection, margins: ArkitScoreMargins = { eyes: 0, other: 0 }) {
    const m = projection.rows.length;
    if (projection.gram.length !== m * m || projection.basis.length % m !== 0) throw new Error('ArkitProjector: the projection is malformed');
    this.projection = projection;
    this.inputCount = projection.basis.length / m;
    this.target = new Float64Array(m);
    this.weights = new Float64Array(m);
    this.trial = new Float64Array(m);
    this.solver = new BoxedQuadratic(m);
    this.anchoredGram = Float32Array.from(projection.gram, (v, i) => (i % (m + 1) === 0 ? v * (1 + ARKIT_SCORE_WEIGHT) : v));
    this.scoreIndex = Int32Array.from(projection.rows, mediapipeScoreIndex);
    this.margins = Float64Array.from(projection.rows, (row) => (ARKIT_BLENDSHAPES[row]!.startsWith('eye') ? margins.eyes : margins.other));
    const shape = (name: string) => projection.rows.indexOf((ARKIT_BLENDSHAPES as readonly string[]).indexOf(name));
    this.antagonists = ARKIT_ANTAGONISTS.map(([a, b]) => [shape(a), shape(b)] as const).filter(([a, b]) => a >= 0 && b >= 0);
    this.locked = new Uint8Array(m);
  }

  /**
   * Writes the weights of the projected shapes into `out` (ARKit-52 order), leaving its other rows
   * as they are. `scores`: MediaPipe's blendshape scores for the frame (`MEDIAPIPE_BLENDSHAPES`
   * order), which settle what the motion leaves open.
   */
  solve(expression: ArrayLike<number>, jointRotations: ArrayLike<number> | undefined, out: Float32Array = new Float32Array(ARKIT_BLENDSHAPES.length), scores?: ArrayLike<number>): Float32Array {
    const { rows, basis, gram: plain } = this.projection;
    const gram = scores ? this.anchoredGram : plain;
    const m = rows.length, n = this.inputCount, count = expression.length;
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        const x = k < count ? expression[k]! : (jointRotations?.[k - count] ?? 0);
        if (x !== 0) s += basis[a * n + k]! * x;
      }
      const index = this.scoreIndex[a]!;
      if (scores && index >= 0) s += ARKIT_SCORE_WEIGHT * plain[a * m + a]! * scoreBeyondMargin(scores[index]!, this.margins[a]!);
      this.target[a] = s;
    }
    this.locked.fill(0);
    this.solver.solve(gram, this.target, this.weights, this.locked);
    this.separate(gram);
    for (let a = 0; a < m; a++) out[rows[a]!] = this.weights[a]!;
    return out;
  }

  /**
   * While an antagonist pair is both active, holds one of it at 0 and solves again: the member
   * whose holding costs less. Each choice is the same convex problem with one more weight on its
   * bound; pairs come in order of their common part, the largest first.
   */
  private separate(gram: Float32Array): void {
    const w = this.weights, trial = this.trial, locked = this.locked;
    for (;;) {
      let pair: readonly [number, number] | undefined, common = 0;
      for (const p of this.antagonists) {
        const c = Math.min(w[p[0]]!, w[p[1]]!);
        if (c > common) [pair, common] = [p, c];
      }
      if (!pair) return;
      let best = Infinity, cheaper = -1;
      for (const held of pair) {
        trial.set(w);
        trial[held] = 0;
        locked[held] = 1;
        this.solver.solve(gram, this.target, trial, locked);
        locked[held] = 0;
        const cost = this.solver.objective(gram, this.target, trial);
        if (cost < best) [best, cheaper] = [cost, held];
      }
      locked[cheaper] = 1;
      w[cheaper] = 0;
      this.solver.solve(gram, this.target, w, locked);
    }
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

  /**
   * Solves in place, from `w` (clamped into the box; its weights on a bound start held). The
   * weights `locked` marks are held at 0 throughout.
   */
  solve(A: Float32Array, b: Float64Array, w: Float64Array, locked: Uint8Array): void {
    const m = w.length, held = this.held, x = this.candidate;
    for (let a = 0; a < m; a++) {
      w[a] = locked[a] ? 0 : Math.min(1, Math.max(0, w[a]!));
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
        if (!held[a] || locked[a]) continue;
        let g = -b[a]!;
        for (let c = 0; c < m; c++) g += A[a * m + c]! * w[c]!;
        const pull = w[a] === 0 ? -g : g;
        if (pull > worst) [worst, release] = [pull, a];
      }
      if (release < 0) return;
      held[release] = 0;
    }
  }

  /** ½wᵀAw − bᵀw. */
  objective(A: Float32Array, b: Float64Array, w: Float64Array): number {
    const m = w.length;
    let sum = 0;
    for (let a = 0; a < m; a++) {
      if (w[a] === 0) continue;
      let Aw = 0;
      for (let c = 0; c < m; c++) Aw += A[a * m + c]! * w[c]!;
      sum += w[a]! * (0.5 * Aw - b[a]!);
    }
    return sum;
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
