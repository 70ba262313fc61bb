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
   * One residual block: shared Jacobian [rows][size] (row-major), frame Jacobian [rows][count]
   * over columns `cols`, its rows `frameStride` apart.
   */
  addBlock(rows: number, shared: Float64Array, count: number, cols: Int32Array, frame: Float64Array, frameStride: number, residual: Float64Array, weight: number): void {
    const K = this.size, n = this.frameSize;
    for (let r = 0; r < rows; r++) {
      const rr = weight * residual[r]!;
      for (let a = 0; a < K; a++) {
        const ja = weight * shared[r * K + a]!;
        if (ja === 0) continue;
        this.gs[a] += shared[r * K + a]! * rr;
        const row = a * K;
        for (let b = a; b < K; b++) this.hss[row + b] += ja * shared[r * K + b]!;
        const rowx = a * n;
        for (let c = 0; c < count; c++) this.hsx[rowx + cols[c]!] += ja * frame[r * frameStride + c]!;
      }
    }
  }
}
