/**
 * The normal equations of one frame in the unknowns shared across frames (identity
 * coefficients, and log focal length when estimated) and their coupling to the frame's own
 * unknowns: H_ss, H_sx, g_s. The identity estimator eliminates the frame unknowns from these.
 */
export class SharedEquations {
  readonly size: number;
  readonly frameSize: number;
  /** [size][size], upper triangle filled. */
  readonly hss: Float64Array;
  /** [size][frameSize]. */
  readonly hsx: Float64Array;
  readonly gs: Float64Array;

  constructor(size: number, frameSize: number) {
    this.size = size;
    this.frameSize = frameSize;
    this.hss = new Float64Array(size * size);
    this.hsx = new Float64Array(size * frameSize);
    this.gs = new Float64Array(size);
  }

  clear(): void {
    this.hss.fill(0);
    this.hsx.fill(0);
    this.gs.fill(0);
  }

  /**
   * One two-row residual block: shared Jacobian [2][size] (row-major), frame Jacobian rows `f0`
   * and `f1` over `count` columns `cols`, residuals r0 and r1. Both rows in one pass: the
   * size² loop is an identity frame's cost.
   */
  addBlock2(shared: Float64Array, count: number, cols: Int32Array, f0: Float64Array, f1: Float64Array, r0: number, r1: number, weight: number): void {
    const K = this.size, n = this.frameSize, hss = this.hss, hsx = this.hsx;
    for (let a = 0; a < K; a++) {
      const s0 = shared[a]!, s1 = shared[K + a]!;
      if (s0 === 0 && s1 === 0) continue;
      const j0 = weight * s0, j1 = weight * s1;
      this.gs[a] += j0 * r0 + j1 * r1;
      const row = a * K;
      for (let b = a; b < K; b++) hss[row + b] += j0 * shared[b]! + j1 * shared[K + b]!;
      const rowx = a * n;
      for (let c = 0; c < count; c++) hsx[rowx + cols[c]!] += j0 * f0[c]! + j1 * f1[c]!;
    }
  }
}
