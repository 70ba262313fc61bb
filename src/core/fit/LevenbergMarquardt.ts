import { choleskyFactor, choleskySolve } from './cholesky.js';
import type { FrameEnergy } from './FrameEnergy.js';
import { FrameState, retract } from './FrameState.js';
import { NormalEquations } from './NormalEquations.js';

export interface SolveOptions {
  /** Energy evaluations at most (the first builds the Gauss-Newton matrix, the rest the gradient only). */
  maxIterations: number;
  /** Stop when an accepted step lowers the energy by less than this fraction of it... */
  relativeTolerance: number;
  /** ...or by less than this absolute amount. */
  absoluteTolerance: number;
  /** Unknowns to solve (1) or hold (0); all when omitted. Rigid re-initialisation solves the pose only. */
  mask?: Uint8Array;
}

export interface SolveResult {
  /** Energy evaluations. */
  iterations: number;
  energy: number;
}

/**
 * Levenberg-Marquardt on the frame energy, with box bounds on joints and expressions (see `boundedStep`).
 *
 * Each solve builds the Gauss-Newton matrix H once, fresh, at its start, and the later
 * evaluations compute the energy and the exact gradient only: the exact gradient keeps the
 * solution exact, H only steers the steps. A fresh H matters: a frame starts a head turn away
 * from the last, and an H pieced together over past frames steered steps that needed twice the
 * evaluations. So H is made cheap instead (the terms leave small deltas and most dense points
 * out of it) and it is rebuilt only where it fails: after a step that achieves much less than it
 * predicted, before damping a rejected step once the state has moved since it was built, and at
 * the first step's landing when the last frame's first step missed its prediction.
 * A step whose predicted decrease is within the tolerance is not worth its evaluation: the
 * solve stops there.
 */
export class LevenbergMarquardt {
  /** H and the gradient at the state H was built at. */
  private readonly hessian: NormalEquations;
  /** The gradient at the current state. */
  private gradient: NormalEquations;
  private candidateGradient: NormalEquations;
  private readonly candidate: FrameState;
  private readonly step: Float64Array;
  private readonly reduced: Float64Array;
  private readonly rhs: Float64Array;
  /** Active-set scratch: the step over the free unknowns, the pinned ones (indices into `free`), their moves, A⁻¹ columns and system. */
  private readonly solution: Float64Array;
  private readonly pinned: Int32Array;
  private readonly pinnedMove: Float64Array;
  private readonly pinnedColumns: Float64Array;
  private readonly pinnedSystem: Float64Array;
  private readonly lambda: Float64Array;
  private readonly isPinned: Uint8Array;
  /** Unknowns free at the solution (not held at a bound), `freeCount` of them. */
  readonly free: Int32Array;
  freeCount = 0;
  private damping = 1e-3;
  /** The last solve's first step: its decrease over the predicted one. */
  private lastFirstGain = 1;
  /** What `reduced` holds the factorization of (H's version, the damping, the free unknowns), so that steps reuse it. */
  private hessianVersion = 0;
  private factoredVersion = -1;
  private factoredDamping = NaN;
  private readonly factoredFree: Int32Array;
  private factoredCount = 0;

  constructor(energy: FrameEnergy) {
    const n = energy.layout.size;
    this.hessian = new NormalEquations(n);
    this.gradient = new NormalEquations(n);
    this.gradient.withHessian = false;
    this.candidateGradient = new NormalEquations(n);
    this.candidateGradient.withHessian = false;
    this.candidate = new FrameState(energy.layout);
    this.step = new Float64Array(n);
    this.reduced = new Float64Array(n * n);
    this.rhs = new Float64Array(n);
    this.solution = new Float64Array(n);
    this.pinned = new Int32Array(n);
    this.pinnedMove = new Float64Array(n);
    this.pinnedColumns = new Float64Array(n * n);
    this.pinnedSystem = new Float64Array(n * n);
    this.lambda = new Float64Array(n);
    this.isPinned = new Uint8Array(n);
    this.free = new Int32Array(n);
    this.factoredFree = new Int32Array(n);
  }

  /** Improves `state` in place. */
  solve(energy: FrameEnergy, state: FrameState, options: SolveOptions): SolveResult {
    let value = this.build(energy, state, this.gradient);
    // Whether the state moved since H was built, and whether to rebuild it before the next step.
    let moved = false, rebuild = false;
    let iterations = 1, candidates = 0;
    this.damping = Math.max(this.damping, 1e-6);
    while (iterations < options.maxIterations) {
      if (rebuild) {
        value = this.build(energy, state, this.gradient);
        iterations++;
        moved = rebuild = false;
        continue;
      }
      const tolerance = options.relativeTolerance * value + options.absoluteTolerance;
      const predicted = this.boundedStep(energy, state, options.mask);
      if (predicted === undefined) {
        this.damping *= 10;
        if (this.damping > 1e8) break;
        continue;
      }
      if (predicted <= tolerance) break;
      retract(state, this.step, energy.lower, energy.upper, this.candidate);
      // After a frame whose first step fared far from its prediction (the robust weights at a
      // warm start far from the solution misjudge the solution's, as in fast motion), the first
      // step's evaluation builds H, so that the next step is steered from where it lands.
      const withHessian = candidates === 0 && Math.abs(this.lastFirstGain - 1) > 0.2;
      const candidateValue = withHessian ? this.build(energy, this.candidate, this.candidateGradient) : energy.evaluate(this.candidate, this.candidateGradient);
      iterations++;
      if (candidates++ === 0) this.lastFirstGain = (value - candidateValue) / predicted;
      if (candidateValue < value) {
        state.copyFrom(this.candidate);
        const swap = this.gradient;
        this.gradient = this.candidateGradient;
        this.candidateGradient = swap;
        const decrease = value - candidateValue;
        value = candidateValue;
        moved = !withHessian;
        this.damping = Math.max(this.damping / 5, 1e-7);
        if (decrease <= tolerance) break;
        if (moved && decrease < 0.25 * predicted) rebuild = true;
      } else if (moved || withHessian) {
        // An H built elsewhere (before the last move, or at the rejected candidate), not too long a step, is the likelier culprit: rebuild before damping.
        rebuild = true;
      } else {
        this.damping *= 5;
        if (this.damping > 1e8) break;
      }
    }
    this.selectFree(energy, state, options.mask);
    return { iterations, energy: value };
  }

  /** Evaluates at `state` with a fresh H, its gradient into `into`. */
  private build(energy: FrameEnergy, state: FrameState, into: NormalEquations): number {
    const value = energy.evaluate(state, this.hessian);
    into.gradient.set(this.hessian.gradient);
    this.hessianVersion++;
    return value;
  }

  /**
   * The damped Gauss-Newton step within the bounds (into `step`): unknowns held at a bound by
   * the gradient stay; free ones whose step would cross a bound are stopped at it and the rest
   * re-solved with that move accounted for, until none crosses (an active-set method; projecting
   * an unconstrained step instead stalls next to the bounds). The re-solves reuse the first
   * factorization: the step with unknowns F pinned to moves d is x = x₁ − Z·λ, Z = A⁻¹·E_F,
   * (E_Fᵀ·Z)·λ = x₁[F] − d. Returns the predicted energy decrease, or undefined when the damped
   * matrix is not positive definite.
   */
  private boundedStep(energy: FrameEnergy, state: FrameState, mask: Uint8Array | undefined): number | undefined {
    const n = energy.layout.size, o = energy.layout.jointOffset;
    const h = this.hessian.hessian, g = this.gradient.gradient, A = this.reduced, step = this.step;
    this.selectFree(energy, state, mask);
    const nf = this.freeCount;
    for (let i = 0; i < nf; i++) this.rhs[i] = -g[this.free[i]!]!;
    if (!this.factor(nf)) return undefined;
    choleskySolve(A, nf, this.rhs);
    const x1 = this.rhs, x = this.solution, pinned = this.pinned, target = this.pinnedMove, Z = this.pinnedColumns, S = this.pinnedSystem;
    x.set(x1.subarray(0, nf));
    const isPinned = this.isPinned;
    isPinned.fill(0, 0, nf);
    let pinnedCount = 0;
    for (let round = 0; round < 8; round++) {
      const before = pinnedCount;
      for (let i = 0; i < nf; i++) {
        const k = this.free[i]!;
        if (k < o) continue;
        const value = state.bounded(k), next = value + x[i]!;
        const bound = next < energy.lower[k]! ? energy.lower[k]! : next > energy.upper[k]! ? energy.upper[k]! : undefined;
        if (bound === undefined || isPinned[i]) continue;
        isPinned[i] = 1;
        pinned[pinnedCount] = i;
        target[pinnedCount] = bound - value;
        // Z column: A⁻¹·e_i.
        const z = Z.subarray(pinnedCount * nf, (pinnedCount + 1) * nf);
        z.fill(0);
        z[i] = 1;
        choleskySolve(A, nf, z);
        pinnedCount++;
      }
      if (pinnedCount === before) break;
      // (E_Fᵀ·Z)·λ = x₁[F] − d, a principal block of A⁻¹ (positive definite).
      const lambda = this.lambda;
      for (let a = 0; a < pinnedCount; a++) {
        for (let c = 0; c <= a; c++) S[a * pinnedCount + c] = Z[c * nf + pinned[a]!]!;
        lambda[a] = x1[pinned[a]!]! - target[a]!;
      }
      if (!choleskyFactor(S, pinnedCount)) return undefined;
      choleskySolve(S, pinnedCount, lambda);
      x.set(x1.subarray(0, nf));
      for (let a = 0; a < pinnedCount; a++) {
        const l = lambda[a]!, z = a * nf;
        for (let i = 0; i < nf; i++) x[i] -= Z[z + i]! * l;
      }
    }
    step.fill(0);
    for (let i = 0; i < nf; i++) step[this.free[i]!] = x[i]!;
    for (let a = 0; a < pinnedCount; a++) step[this.free[pinned[a]!]!] = target[a]!;
    // Predicted decrease of E ≈ E₀ + 2gᵀΔ + ΔᵀHΔ (undamped).
    let predicted = 0;
    for (let a = 0; a < n; a++) {
      const sa = step[a]!;
      if (sa === 0) continue;
      predicted -= 2 * g[a]! * sa + h[a * n + a]! * sa * sa;
      for (let b = a + 1; b < n; b++) predicted -= 2 * h[a * n + b]! * sa * step[b]!;
    }
    return predicted;
  }

  /** Factors the damped H over the free unknowns into `reduced`, unless it holds that factorization already. */
  private factor(nf: number): boolean {
    const free = this.free, same = this.factoredVersion === this.hessianVersion && this.factoredDamping === this.damping && this.factoredCount === nf;
    let i = 0;
    if (same) while (i < nf && free[i] === this.factoredFree[i]) i++;
    if (same && i === nf) return true;
    const n = this.hessian.size, h = this.hessian.hessian, A = this.reduced;
    for (let i = 0; i < nf; i++) {
      const fi = free[i]!;
      for (let j = 0; j <= i; j++) A[i * nf + j] = h[free[j]! * n + fi]!; // the upper triangle holds row min(fi, fj)
      // Marquardt's scaling, plus a floor so unknowns that nothing constrains stay put.
      A[i * nf + i] = A[i * nf + i]! * (1 + this.damping) + 1e-9;
    }
    this.factoredVersion = -1;
    if (!choleskyFactor(A, nf)) return false;
    this.factoredVersion = this.hessianVersion;
    this.factoredDamping = this.damping;
    this.factoredCount = nf;
    this.factoredFree.set(free.subarray(0, nf));
    return true;
  }

  private selectFree(energy: FrameEnergy, state: FrameState, mask: Uint8Array | undefined): void {
    const layout = energy.layout, g = this.gradient.gradient;
    let nf = 0;
    for (let k = 0; k < layout.size; k++) {
      if (mask && !mask[k]) continue;
      if (k >= layout.jointOffset) {
        const x = state.bounded(k);
        if (x <= energy.lower[k]! && g[k]! > 0) continue;
        if (x >= energy.upper[k]! && g[k]! < 0) continue;
      }
      this.free[nf++] = k;
    }
    this.freeCount = nf;
  }
}
