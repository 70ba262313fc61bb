import { choleskyFactor, choleskySolve } from './cholesky.js';
import type { NormalEquations } from './NormalEquations.js';
import type { SharedEquations } from './SharedEquations.js';

/** When identity (and focal length, if estimated) is updated and frozen. */
export interface IdentityPolicy {
  /** Freeze once stable (true), or keep refining on sampled frames for as long as the face is tracked (false). Default true. */
  freeze: boolean;
  /**
   * Take a frame into the estimate at most every this many frames; a taken frame counts for as
   * many (it stands for the frames between). Default 5: consecutive frames tell identity much
   * the same, and an identity frame costs several plain ones (sample video: 7 ms vs 1.1 ms), so
   * every frame's would put 60 of them in the first two seconds. One in five estimates the
   * synthetic scenes' focal length closer to the truth (697–747 vs 648–687 px of 800) with
   * lower recovery errors.
   */
  interval: number;
  /** Frames taken before the estimate may freeze. Default 2. */
  minFrames: number;
  /** Freeze after this many frames taken whatever the change. Default 12 (two seconds at 30 fps with `interval` 5). */
  maxFrames: number;
  /** Freeze when an update moves the coefficients by less than this (RMS, in prior std) per frame it stands for (see `interval`). Default 0.005. */
  tolerance: number;
  /** Only frames whose landmark fit is this good (median distance, px of a 256 px face) are taken: not a lost track. Default 8. */
  maxLandmarkErrorPx: number;
  /** Only views within this head rotation (degrees from frontal) are taken. Default 40. */
  maxRotationDeg: number;
}

export const DEFAULT_IDENTITY_POLICY: IdentityPolicy = {
  freeze: true,
  interval: 5,
  minFrames: 2,
  maxFrames: 12,
  tolerance: 0.005,
  maxLandmarkErrorPx: 8,
  maxRotationDeg: 40,
};

/**
 * Estimates the unknowns shared by all frames (identity, optionally log focal length) from
 * accumulated normal equations. Each taken frame contributes its Gauss-Newton system with the
 * frame's own unknowns eliminated (the Schur complement H_ss − H_sx·H_xx⁻¹·H_xs), so what the
 * frame's expression and pose could explain is not charged to identity.
 */
export class IdentityEstimator {
  readonly size: number;
  readonly estimate: Float64Array;
  frames = 0;
  frozen = false;
  /** RMS change of the last update, prior std units. */
  lastChange = Infinity;

  /** The prior's mean per shared unknown (and where `reset` starts); may be changed before a reset. */
  readonly priorMean: Float64Array;
  private readonly priorWeight: Float64Array;
  private readonly hAccumulated: Float64Array;
  private readonly bAccumulated: Float64Array;
  private readonly scaleForChange: Float64Array;
  private hff = new Float64Array(0);
  private y = new Float64Array(0);
  private readonly work: Float64Array;
  private readonly previous: Float64Array;

  /**
   * @param priorWeight per shared unknown, the prior's weight (λ/std²).
   * @param priorMean per shared unknown, the prior's mean (and the start).
   * @param changeScale per shared unknown, the unit its change is measured in (the std).
   */
  constructor(priorWeight: Float64Array, priorMean: Float64Array, changeScale: Float64Array) {
    this.size = priorWeight.length;
    this.priorWeight = priorWeight;
    this.priorMean = priorMean;
    this.scaleForChange = changeScale;
    this.estimate = Float64Array.from(priorMean);
    this.hAccumulated = new Float64Array(this.size * this.size);
    this.bAccumulated = new Float64Array(this.size);
    this.work = new Float64Array(this.size * this.size);
    this.previous = new Float64Array(this.size);
  }

  reset(): void {
    this.estimate.set(this.priorMean);
    this.hAccumulated.fill(0);
    this.bAccumulated.fill(0);
    this.frames = 0;
    this.frozen = false;
    this.lastChange = Infinity;
  }

  /**
   * Moves unknown `index` by `delta` (a change of variable: what the frames so far said about it
   * holds for the moved value), e.g. log focal length when the frame size changes.
   */
  shift(index: number, delta: number): void {
    const K = this.size;
    for (let a = 0; a < K; a++) this.bAccumulated[a] += this.hAccumulated[a * K + index]! * delta;
    this.priorMean[index] += delta;
    this.estimate[index] += delta;
  }

  /**
   * Adds a frame: `shared` built at the frame's solution, `frame` its Gauss-Newton system there,
   * `free` the frame unknowns not held at a bound. Updates `estimate` and the frozen flag.
   */
  addFrame(shared: SharedEquations, frame: NormalEquations, free: Int32Array, freeCount: number, policy: IdentityPolicy): void {
    const K = this.size, n = frame.size, nf = freeCount;
    if (this.hff.length < nf * nf) this.hff = new Float64Array(nf * nf);
    if (this.y.length < K * nf) this.y = new Float64Array(K * nf);
    const hff = this.hff, y = this.y, h = frame.hessian;
    for (let i = 0; i < nf; i++) {
      for (let j = 0; j <= i; j++) hff[i * nf + j] = h[free[j]! * n + free[i]!]!;
      hff[i * nf + i] = hff[i * nf + i]! + 1e-9;
    }
    if (!choleskyFactor(hff, nf)) return;
    // Y = H_ff⁻¹ · H_fs, one shared unknown per row.
    for (let a = 0; a < K; a++) {
      const row = y.subarray(a * nf, (a + 1) * nf);
      for (let i = 0; i < nf; i++) row[i] = shared.hsx[a * n + free[i]!]!;
      choleskySolve(hff, nf, row);
    }
    // Reduced system; accumulate its information about the shared unknowns around the current
    // estimate: H·s = H·s_now − g. A frame counts for the `interval` frames it stands for, so the
    // prior weighs the same against the data whatever the interval.
    const weight = policy.interval;
    const hs = shared.hss, gs = shared.gs, g = frame.gradient, H = this.hAccumulated, b = this.bAccumulated;
    for (let a = 0; a < K; a++) {
      let ga = gs[a]!;
      for (let i = 0; i < nf; i++) ga -= y[a * nf + i]! * g[free[i]!]!;
      b[a] -= weight * ga;
    }
    for (let a = 0; a < K; a++) {
      for (let c = a; c < K; c++) {
        let s = hs[a * K + c]!;
        for (let i = 0; i < nf; i++) s -= shared.hsx[a * n + free[i]!]! * y[c * nf + i]!;
        s *= weight;
        H[a * K + c] += s;
        if (c !== a) H[c * K + a] += s;
        b[a] += s * this.estimate[c]!;
        if (c !== a) b[c] += s * this.estimate[a]!;
      }
    }
    this.frames++;
    this.solve();
    if (policy.freeze && this.frames >= policy.minFrames && (this.lastChange < policy.tolerance * policy.interval || this.frames >= policy.maxFrames)) {
      this.frozen = true;
    }
  }

  private solve(): void {
    const K = this.size, A = this.work;
    A.set(this.hAccumulated);
    this.previous.set(this.estimate);
    const rhs = this.estimate;
    for (let a = 0; a < K; a++) {
      A[a * K + a] = A[a * K + a]! + this.priorWeight[a]!;
      rhs[a] = this.bAccumulated[a]! + this.priorWeight[a]! * this.priorMean[a]!;
    }
    if (!choleskyFactor(A, K)) {
      this.estimate.set(this.previous);
      return;
    }
    choleskySolve(A, K, rhs);
    let change = 0;
    for (let a = 0; a < K; a++) change += ((rhs[a]! - this.previous[a]!) / this.scaleForChange[a]!) ** 2;
    this.lastChange = Math.sqrt(change / K);
  }
}
