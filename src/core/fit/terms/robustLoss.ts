/**
 * The robust losses of the fit's point terms, applied to a residual's length s with scale δ and
 * solved by reweighting (IRLS: each point's Gauss-Newton blocks take the weight ρ'(s) / 2s):
 * - Huber: s² below δ, 2δs − δ² above. Convex: for a fresh start far from the solution.
 * - Cauchy: δ²·log(1 + s²/δ²). Redescending: an outlier 10δ away pulls with 1 % of an inlier's
 *   weight; for tracking, where the warm start is close.
 */
export type RobustLoss = 'huber' | 'cauchy';

/** weight · ρ(s). */
export function robustEnergy(loss: RobustLoss, s: number, delta: number, weight: number): number {
  if (loss === 'cauchy') return weight * delta * delta * Math.log1p((s * s) / (delta * delta));
  return weight * (s <= delta ? s * s : 2 * delta * s - delta * delta);
}

/** The IRLS weight ρ'(s) / 2s: 1 for an inlier, falling with s beyond δ. */
export function robustWeight(loss: RobustLoss, s: number, delta: number): number {
  if (loss === 'cauchy') return 1 / (1 + (s * s) / (delta * delta));
  return s <= delta ? 1 : delta / s;
}

/**
 * How much to widen a loss of scale `scalePx` for a frame whose warm start lies a median
 * `medianPx` from the landmarks (frame px; `pixelScale` takes it to the residuals' scale): to at
 * least 2.5 times that median. A fast head turn leaves every landmark pixels away before the
 * first step; a fixed Cauchy scale would then treat them all as outliers (and their tiny weights
 * would no longer match the kept Gauss-Newton matrix).
 */
export function robustScaleFactor(medianPx: number, pixelScale: number, scalePx: number): number {
  return Math.max(1, (2.5 * medianPx * pixelScale) / scalePx);
}
