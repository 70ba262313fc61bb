/**
 * Gauss-Newton normal equations H·Δ = −g of a weighted least-squares energy
 * E = Σ w·ρ(r), with H ≈ Σ w Jᵀ J and g = Σ w Jᵀ r (the energy's gradient is 2g).
 * Terms fill the upper triangle of H.
 *
 * A partial build (`hessianStride` > 1) takes into H only the points whose index is
 * `hessianPhase` modulo the stride, and 1/stride of the terms that are not per point: the
 * solver sums the parts built on consecutive frames.
 */
export class NormalEquations {
  readonly size: number;
  /** [size][size] row-major. */
  readonly hessian: Float64Array;
  readonly gradient: Float64Array;
  /** When false, terms skip H and accumulate the gradient only (the Adam reference's cost). */
  withHessian = true;
  hessianStride = 1;
  hessianPhase = 0;

  constructor(size: number) {
    this.size = size;
    this.hessian = new Float64Array(size * size);
    this.gradient = new Float64Array(size);
  }

  clear(): void {
    if (this.withHessian) this.hessian.fill(0);
    this.gradient.fill(0);
  }

  /**
   * Whether point `index` of a term goes into H in this build. A term with many points may thin
   * them out (take 1 in `thinning`, weighted up by as much): H only steers the steps.
   */
  hessianTakes(index: number, thinning = 1): boolean {
    const every = this.hessianStride * thinning;
    return this.withHessian && (every === 1 || index % every === this.hessianPhase);
  }

  /** Adds one residual block's gradient: `rows` residuals over `count` columns `cols` (ascending), J row-major [rows][count]. */
  addGradient(rows: number, count: number, cols: Int32Array, jacobian: Float64Array, residual: Float64Array, weight: number): void {
    const g = this.gradient;
    for (let a = 0; a < count; a++) {
      let ga = 0;
      for (let r = 0; r < rows; r++) ga += jacobian[r * count + a]! * residual[r]!;
      g[cols[a]!] += weight * ga;
    }
  }

  /**
   * Adds a two-row block (a reprojection) to g and H: rows `j0` and `j1` over `count` columns
   * `cols`, residuals r0 and r1. Unrolled by two: the hottest loop of a Gauss-Newton build.
   */
  addBlock2(count: number, cols: Int32Array, j0: Float64Array, j1: Float64Array, r0: number, r1: number, weight: number, hessianWeight: number): void {
    const n = this.size, h = this.hessian, g = this.gradient;
    const wr0 = weight * r0, wr1 = weight * r1;
    for (let a = 0; a < count; a++) {
      const x0 = j0[a]!, x1 = j1[a]!;
      g[cols[a]!] += x0 * wr0 + x1 * wr1;
      const ja0 = hessianWeight * x0, ja1 = hessianWeight * x1;
      const row = cols[a]! * n;
      let b = a;
      for (; b + 1 < count; b += 2) {
        const c0 = row + cols[b]!, c1 = row + cols[b + 1]!;
        h[c0] += ja0 * j0[b]! + ja1 * j1[b]!;
        h[c1] += ja0 * j0[b + 1]! + ja1 * j1[b + 1]!;
      }
      if (b < count) h[row + cols[b]!] += ja0 * j0[b]! + ja1 * j1[b]!;
    }
  }

  /** Adds one residual block to g and H (see `addGradient`), H with its own weight (default the same). */
  addBlock(rows: number, count: number, cols: Int32Array, jacobian: Float64Array, residual: Float64Array, weight: number, hessianWeight = weight): void {
    this.addGradient(rows, count, cols, jacobian, residual, weight);
    const n = this.size, h = this.hessian;
    weight = hessianWeight;
    for (let a = 0; a < count; a++) {
      const row = cols[a]! * n;
      for (let b = a; b < count; b++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += jacobian[r * count + a]! * jacobian[r * count + b]!;
        h[row + cols[b]!] += weight * s;
      }
    }
  }
}
