/**
 * The normal equations of one frame in the unknowns shared across frames (identity
 * coefficients, and log focal length when estimated) and their coupling to the frame's own
 * unknowns: H_ss, H_sx, g_s. The identity estimator eliminates the frame unknowns from these.
 */
export class SharedEquations {
  readonly size: number;
  readonly frameSize: number;
  /** [size][size], upper triangle filled (complete after `flush`). */
  readonly hss: Float64Array;
  /** [size][frameSize]. */
  readonly hsx: Float64Array;
  readonly gs: Float64Array;
  /**
   * Shared Jacobian rows not yet in H_ss, [BATCH][size], and the same weighted: H_ss takes
   * them BATCH at a time, so each of its size²/2 entries is loaded and stored once per batch
   * rather than once per block (the size² loop is an identity frame's cost).
   */
  private readonly pendingRows: Float64Array;
  private readonly pendingWeighted: Float64Array;
  private pending = 0;

  constructor(size: number, frameSize: number) {
    this.size = size;
    this.frameSize = frameSize;
    this.hss = new Float64Array(size * size);
    this.hsx = new Float64Array(size * frameSize);
    this.gs = new Float64Array(size);
    this.pendingRows = new Float64Array(BATCH * size);
    this.pendingWeighted = new Float64Array(BATCH * size);
  }

  clear(): void {
    this.hss.fill(0);
    this.hsx.fill(0);
    this.gs.fill(0);
    this.pending = 0;
  }

  /**
   * One two-row residual block: shared Jacobian [2][size] (row-major), frame Jacobian rows `f0`
   * and `f1` over `count` columns `cols`, residuals r0 and r1. H_ss takes the rows at the next
   * full batch or `flush`.
   */
  addBlock2(shared: Float64Array, count: number, cols: Int32Array, f0: Float64Array, f1: Float64Array, r0: number, r1: number, weight: number): void {
    const K = this.size, n = this.frameSize, hsx = this.hsx;
    for (let a = 0; a < K; a++) {
      const s0 = shared[a]!, s1 = shared[K + a]!;
      if (s0 === 0 && s1 === 0) continue;
      const j0 = weight * s0, j1 = weight * s1;
      this.gs[a] += j0 * r0 + j1 * r1;
      const rowx = a * n;
      for (let c = 0; c < count; c++) hsx[rowx + cols[c]!] += j0 * f0[c]! + j1 * f1[c]!;
    }
    for (let r = 0; r < 2; r++) {
      const at = this.pending * K;
      for (let a = 0; a < K; a++) {
        const s = shared[r * K + a]!;
        this.pendingRows[at + a] = s;
        this.pendingWeighted[at + a] = weight * s;
      }
      if (++this.pending === BATCH) this.flush();
    }
  }

  /** Adds the pending rows to H_ss. */
  flush(): void {
    const K = this.size, hss = this.hss, rows = this.pendingRows, weighted = this.pendingWeighted;
    // Unused batch rows count as zero rows.
    for (let r = this.pending; r < BATCH; r++) weighted.fill(0, r * K, (r + 1) * K);
    for (let a = 0; a < K; a++) {
      const w0 = weighted[a]!, w1 = weighted[K + a]!, w2 = weighted[2 * K + a]!, w3 = weighted[3 * K + a]!;
      if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
      const row = a * K;
      for (let b = a; b < K; b++) hss[row + b] += w0 * rows[b]! + w1 * rows[K + b]! + w2 * rows[2 * K + b]! + w3 * rows[3 * K + b]!;
    }
    this.pending = 0;
  }
}

/** Rows per H_ss update (the flush's unrolling assumes four). */
const BATCH = 4;
