/**
 * Head motion between two frames, seen in the landmarks: the least-squares 2D affine map taking
 * one frame's landmarks onto the other's. Moves dense correspondences observed on an earlier
 * frame to where they are now (translation, in-plane rotation, scale, and the foreshortening of
 * small turns).
 */

/** x' = m[0]·x + m[1]·y + m[2], y' = m[3]·x + m[4]·y + m[5]. */
export interface AffineMotion {
  matrix: Float64Array;
  /** RMS landmark residual after the map, px: what it cannot explain (expression, large turns). */
  rmsPx: number;
}

/** Fits `from` → `to` ([count][2] px each); null when degenerate. */
export function fitLandmarkMotion(from: Float32Array, to: Float32Array): AffineMotion | null {
  const n = Math.min(from.length, to.length) / 2;
  // Centre both sets for conditioning; solve the 2x2 normal equations per output coordinate.
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[2 * i]!;
    fy += from[2 * i + 1]!;
    tx += to[2 * i]!;
    ty += to[2 * i + 1]!;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let sxx = 0, sxy = 0, syy = 0, sux = 0, suy = 0, svx = 0, svy = 0;
  for (let i = 0; i < n; i++) {
    const x = from[2 * i]! - fx, y = from[2 * i + 1]! - fy, u = to[2 * i]! - tx, v = to[2 * i + 1]! - ty;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
    sux += u * x;
    suy += u * y;
    svx += v * x;
    svy += v * y;
  }
  const det = sxx * syy - sxy * sxy;
  if (!(Math.abs(det) > 1e-9 * (sxx + syy) ** 2)) return null;
  const a = (sux * syy - suy * sxy) / det, b = (suy * sxx - sux * sxy) / det;
  const c = (svx * syy - svy * sxy) / det, d = (svy * sxx - svx * sxy) / det;
  const matrix = Float64Array.of(a, b, tx - a * fx - b * fy, c, d, ty - c * fx - d * fy);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = from[2 * i]!, y = from[2 * i + 1]!;
    sum += (matrix[0]! * x + matrix[1]! * y + matrix[2]! - to[2 * i]!) ** 2 + (matrix[3]! * x + matrix[4]! * y + matrix[5]! - to[2 * i + 1]!) ** 2;
  }
  return { matrix, rmsPx: Math.sqrt(sum / n) };
}

/** Applies the map to [count][2] points, into a new array. */
export function applyLandmarkMotion(motion: AffineMotion, points: Float32Array): Float32Array {
  const m = motion.matrix, out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i]!, y = points[i + 1]!;
    out[i] = m[0]! * x + m[1]! * y + m[2]!;
    out[i + 1] = m[3]! * x + m[4]! * y + m[5]!;
  }
  return out;
}
