/** y = scale · R · x + translation, R row-major 3x3. */
export interface SimilarityTransform {
  scale: number;
  rotation: Float64Array;
  translation: Float64Array;
}

/**
 * The similarity that best maps points `src` onto `dst` in the weighted least-squares sense
 * (Horn's closed form with unit quaternions, J. Opt. Soc. Am. A 4(4), 1987; scale as in Umeyama
 * 1991). Both are packed xyz of equal length; `weights` defaults to 1 per point.
 */
export function fitSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>, weights?: ArrayLike<number>): SimilarityTransform {
  const n = src.length / 3;
  if (dst.length !== src.length || n < 3) throw new Error('fitSimilarity: needs two equal sets of at least 3 points');
  const w = (i: number) => (weights ? weights[i]! : 1);
  let wSum = 0;
  const cs = [0, 0, 0], cd = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    wSum += w(i);
    for (let c = 0; c < 3; c++) {
      cs[c] += w(i) * src[3 * i + c]!;
      cd[c] += w(i) * dst[3 * i + c]!;
    }
  }
  for (let c = 0; c < 3; c++) {
    cs[c] /= wSum;
    cd[c] /= wSum;
  }
  // Cross-covariance S[a][b] = Σ w (src_a − c̄s_a)(dst_b − c̄d_b) and the source's spread.
  const S = new Float64Array(9);
  let srcSpread = 0;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      const xa = src[3 * i + a]! - cs[a]!;
      srcSpread += w(i) * xa * xa;
      for (let b = 0; b < 3; b++) S[3 * a + b] += w(i) * xa * (dst[3 * i + b]! - cd[b]!);
    }
  }
  const [sxx, sxy, sxz, syx, syy, syz, szx, szy, szz] = S as unknown as number[];
  const N = Float64Array.of(
    sxx! + syy! + szz!, syz! - szy!, szx! - sxz!, sxy! - syx!,
    syz! - szy!, sxx! - syy! - szz!, sxy! + syx!, szx! + sxz!,
    szx! - sxz!, sxy! + syx!, -sxx! + syy! - szz!, syz! + szy!,
    sxy! - syx!, szx! + sxz!, syz! + szy!, -sxx! - syy! + szz!,
  );
  const rotation = quaternionToMatrix(largestEigenvector4(N));
  // scale = Σ w (dst − c̄d)·R(src − c̄s) / Σ w |src − c̄s|² = trace(R·S) / spread.
  let trace = 0;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) trace += rotation[3 * b + a]! * S[3 * a + b]!;
  const scale = srcSpread > 0 ? trace / srcSpread : 1;
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) {
    translation[r] = cd[r]! - scale * (rotation[3 * r]! * cs[0]! + rotation[3 * r + 1]! * cs[1]! + rotation[3 * r + 2]! * cs[2]!);
  }
  return { scale, rotation, translation };
}

/** Applies `t` to packed xyz points, into `out` (a new array by default). */
export function applySimilarity<T extends Float32Array | Float64Array = Float64Array>(
  t: SimilarityTransform,
  points: ArrayLike<number>,
  out: T = new Float64Array(points.length) as T,
): T {
  const R = t.rotation;
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    for (let r = 0; r < 3; r++) out[i + r] = t.scale * (R[3 * r]! * x + R[3 * r + 1]! * y + R[3 * r + 2]! * z) + t.translation[r]!;
  }
  return out;
}

/** The inverse transform: x = Rᵀ·(y − translation) / scale. */
export function invertSimilarity(t: SimilarityTransform): SimilarityTransform {
  const R = t.rotation;
  const rotation = Float64Array.of(R[0]!, R[3]!, R[6]!, R[1]!, R[4]!, R[7]!, R[2]!, R[5]!, R[8]!);
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) translation[r] = -(rotation[3 * r]! * t.translation[0]! + rotation[3 * r + 1]! * t.translation[1]! + rotation[3 * r + 2]! * t.translation[2]!) / t.scale;
  return { scale: 1 / t.scale, rotation, translation };
}

function quaternionToMatrix([w, x, y, z]: number[]): Float64Array {
  return Float64Array.of(
    w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z,
  );
}

/** Unit eigenvector of the largest eigenvalue of a symmetric 4x4 matrix (cyclic Jacobi). */
function largestEigenvector4(matrix: Float64Array): number[] {
  const a = Float64Array.from(matrix);
  const v = Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += a[4 * p + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < 4; p++) {
      for (let q = p + 1; q < 4; q++) {
        const apq = a[4 * p + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[4 * q + q]! - a[4 * p + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[4 * k + p]!, akq = a[4 * k + q]!;
          a[4 * k + p] = c * akp - s * akq;
          a[4 * k + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[4 * p + k]!, aqk = a[4 * q + k]!;
          a[4 * p + k] = c * apk - s * aqk;
          a[4 * q + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[4 * k + p]!, vkq = v[4 * k + q]!;
          v[4 * k + p] = c * vkp - s * vkq;
          v[4 * k + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let k = 1; k < 4; k++) if (a[5 * k]! > a[5 * best]!) best = k;
  const e = [0, 1, 2, 3].map((r) => v[4 * r + best]!);
  const norm = Math.hypot(...e);
  return e.map((x) => x / norm);
}
