/**
 * Gauss-Newton normal equations H·Δ = −g of a weighted least-squares energy
 * E = Σ w·ρ(r), with H ≈ Σ w Jᵀ J and g = Σ w Jᵀ r (the energy's gradient is 2g).
 * Terms fill the upper triangle of H.
 */
export class NormalEquations {
  readonly size: number;
  /** [size][size] row-major. */
  readonly hessian: Float64Array;
  readonly gradient: Float64Array;
  /** When false, terms skip H and accumulate the gradient only (the Adam reference's cost). */
  withHessian = true;

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
    return this.withHessian && (thinning === 1 || index % thinning === 0);
  }

  /**
   * Adds a two-row residual block to g and H: rows `j0` and `j1` over `count` columns `cols`
   * (ascending), residuals r0 and r1, H with its own weight. The hottest loop of a Gauss-Newton
   * build, so four rows of H at a time: each column's loads serve all four.
   */
  addBlock2(count: number, cols: Int32Array, j0: Float64Array, j1: Float64Array, r0: number, r1: number, weight: number, hessianWeight: number): void {
    const n = this.size, h = this.hessian, g = this.gradient;
    const wr0 = weight * r0, wr1 = weight * r1;
    for (let a = 0; a < count; a++) g[cols[a]!] += j0[a]! * wr0 + j1[a]! * wr1;
    let a = 0;
    for (; a + 3 < count; a += 4) {
      const ra = cols[a]! * n, rb = cols[a + 1]! * n, rc = cols[a + 2]! * n, rd = cols[a + 3]! * n;
      const a0 = hessianWeight * j0[a]!, a1 = hessianWeight * j1[a]!;
      const b0 = hessianWeight * j0[a + 1]!, b1 = hessianWeight * j1[a + 1]!;
      const c0 = hessianWeight * j0[a + 2]!, c1 = hessianWeight * j1[a + 2]!;
      const d0 = hessianWeight * j0[a + 3]!, d1 = hessianWeight * j1[a + 3]!;
      // The 4×4 triangle on the diagonal...
      const x0 = j0[a]!, x1 = j1[a]!, y0 = j0[a + 1]!, y1 = j1[a + 1]!, z0 = j0[a + 2]!, z1 = j1[a + 2]!, w0 = j0[a + 3]!, w1 = j1[a + 3]!;
      const ca = cols[a]!, cb = cols[a + 1]!, cc = cols[a + 2]!, cd = cols[a + 3]!;
      h[ra + ca] += a0 * x0 + a1 * x1;
      h[ra + cb] += a0 * y0 + a1 * y1;
      h[ra + cc] += a0 * z0 + a1 * z1;
      h[ra + cd] += a0 * w0 + a1 * w1;
      h[rb + cb] += b0 * y0 + b1 * y1;
      h[rb + cc] += b0 * z0 + b1 * z1;
      h[rb + cd] += b0 * w0 + b1 * w1;
      h[rc + cc] += c0 * z0 + c1 * z1;
      h[rc + cd] += c0 * w0 + c1 * w1;
      h[rd + cd] += d0 * w0 + d1 * w1;
      // ...then the four rows' columns to the right.
      for (let b = a + 4; b < count; b++) {
        const c = cols[b]!, u0 = j0[b]!, u1 = j1[b]!;
        h[ra + c] += a0 * u0 + a1 * u1;
        h[rb + c] += b0 * u0 + b1 * u1;
        h[rc + c] += c0 * u0 + c1 * u1;
        h[rd + c] += d0 * u0 + d1 * u1;
      }
    }
    for (; a < count; a++) {
      const row = cols[a]! * n, a0 = hessianWeight * j0[a]!, a1 = hessianWeight * j1[a]!;
      for (let b = a; b < count; b++) h[row + cols[b]!] += a0 * j0[b]! + a1 * j1[b]!;
    }
  }
}
