import { axisAngleToMatrix, matrixToAxisAngle, multiplyMat3 } from '../math/rotation.js';

/**
 * One Euro filter parameters (Casiez, Roussel, Vogel, CHI 2012): the cutoff frequency rises with
 * speed, fc = minCutoff + beta · |filtered derivative|, so slow motion is smoothed hard (no
 * jitter) and fast motion hardly at all (no lag).
 */
export interface OneEuroParams {
  /** Cutoff at rest, Hz. */
  minCutoff: number;
  /** Cutoff increase per unit of speed (Hz per unit/s). */
  beta: number;
  /** Cutoff of the derivative's own low-pass, Hz. */
  dCutoff: number;
}

/** Exponential smoothing factor of a first-order low-pass at `cutoffHz` for a step of `dt` seconds. */
export function smoothingFactor(dt: number, cutoffHz: number): number {
  const r = 2 * Math.PI * cutoffHz * dt;
  return r / (r + 1);
}

/**
 * One Euro on a vector. `coupled`: one speed for the whole vector (its derivative's norm: a
 * position), else one per component (independent coefficients).
 */
export class OneEuroFilter {
  readonly params: OneEuroParams;
  readonly size: number;
  private readonly coupled: boolean;
  private readonly value: Float64Array;
  private readonly derivative: Float64Array;
  private initialized = false;

  constructor(size: number, params: OneEuroParams, coupled: boolean) {
    this.params = params;
    this.size = size;
    this.coupled = coupled;
    this.value = new Float64Array(size);
    this.derivative = new Float64Array(size);
  }

  reset(): void {
    this.initialized = false;
  }

  /**
   * Filters `x` taken `dt` seconds after the previous sample; writes `out`. `speedScale` divides
   * the derivative before it raises the cutoff (a unit for the speed, e.g. the distance). The
   * first sample, and one with no time step, pass through and restart the filter there.
   */
  filter(x: ArrayLike<number>, dt: number, out: Float32Array | Float64Array, speedScale = 1): void {
    const n = this.value.length, { minCutoff, beta, dCutoff } = this.params;
    if (!this.initialized || !(dt > 0)) {
      for (let i = 0; i < n; i++) out[i] = this.value[i] = x[i]!;
      if (!this.initialized) this.derivative.fill(0);
      this.initialized = true;
      return;
    }
    const ad = smoothingFactor(dt, dCutoff);
    let speed = 0;
    for (let i = 0; i < n; i++) {
      const d = (x[i]! - this.value[i]!) / dt;
      this.derivative[i] = this.derivative[i]! + ad * (d - this.derivative[i]!);
      speed += this.derivative[i]! ** 2;
    }
    const sharedAlpha = smoothingFactor(dt, minCutoff + (beta * Math.sqrt(speed)) / speedScale);
    for (let i = 0; i < n; i++) {
      const a = this.coupled ? sharedAlpha : smoothingFactor(dt, minCutoff + (beta * Math.abs(this.derivative[i]!)) / speedScale);
      this.value[i] = this.value[i]! + a * (x[i]! - this.value[i]!);
      out[i] = this.value[i]!;
    }
  }
}

/**
 * One Euro on rotations, on the manifold: the new input's rotation relative to the last output,
 * log(R_in · R_outᵀ), is the tangent step; its rate drives the cutoff, and the output moves by
 * the smoothing factor times that step: R_out ← exp(α·δ)·R_out. No Euler angles, no wrap-around.
 */
export class OneEuroRotationFilter {
  readonly params: OneEuroParams;
  private readonly output = new Float64Array(9);
  private readonly velocity = new Float64Array(3);
  private readonly scratch = new Float64Array(9);
  private readonly input = new Float64Array(9);
  private readonly delta = new Float64Array(3);
  private initialized = false;

  constructor(params: OneEuroParams) {
    this.params = params;
  }

  reset(): void {
    this.initialized = false;
  }

  /** Filters an axis-angle rotation taken `dt` seconds after the previous one; writes axis-angle to `out`. */
  filter(axisAngle: ArrayLike<number>, dt: number, out: Float64Array): void {
    axisAngleToMatrix(axisAngle[0]!, axisAngle[1]!, axisAngle[2]!, this.input);
    if (!this.initialized || !(dt > 0)) {
      this.output.set(this.input);
      if (!this.initialized) this.velocity.fill(0);
      this.initialized = true;
      matrixToAxisAngle(this.output, out);
      return;
    }
    // δ = log(R_in · R_outᵀ)
    const a = this.input, b = this.output, m = this.scratch;
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) m[3 * r + c] = a[3 * r]! * b[3 * c]! + a[3 * r + 1]! * b[3 * c + 1]! + a[3 * r + 2]! * b[3 * c + 2]!;
    }
    matrixToAxisAngle(m, this.delta);
    const { minCutoff, beta, dCutoff } = this.params;
    const ad = smoothingFactor(dt, dCutoff);
    for (let c = 0; c < 3; c++) this.velocity[c] = this.velocity[c]! + ad * (this.delta[c]! / dt - this.velocity[c]!);
    const alpha = smoothingFactor(dt, minCutoff + beta * Math.hypot(this.velocity[0]!, this.velocity[1]!, this.velocity[2]!));
    axisAngleToMatrix(alpha * this.delta[0]!, alpha * this.delta[1]!, alpha * this.delta[2]!, m);
    multiplyMat3(m, this.output, this.input);
    this.output.set(this.input);
    matrixToAxisAngle(this.output, out);
  }
}
