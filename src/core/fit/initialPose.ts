import type { PinholeCamera } from '../camera.js';

/**
 * A head pose from 2D–3D correspondences with no prior guess (face found again): the
 * weak-perspective (scaled orthographic) camera fitted in closed form, its rows made a
 * rotation, the scale turned into depth. Good to a few degrees; the rigid fit refines it.
 *
 * @param model [count][3] model-space points; @param pixels [count][2]; @param weights [count] (0 skips a point).
 * Writes the rotation (row-major 3x3) and translation.
 */
export function initialPose(
  model: ArrayLike<number>,
  pixels: ArrayLike<number>,
  weights: ArrayLike<number>,
  camera: PinholeCamera,
  rotationOut: Float64Array,
  translationOut: Float64Array,
): boolean {
  const count = weights.length;
  // Normalized camera coordinates: x̃ = x/(−z), ỹ = y/(−z).
  let sw = 0;
  const c = [0, 0, 0], m = [0, 0];
  for (let i = 0; i < count; i++) {
    const w = weights[i]!;
    if (!(w > 0)) continue;
    sw += w;
    for (let k = 0; k < 3; k++) c[k] += w * model[3 * i + k]!;
    m[0] += w * (pixels[2 * i]! - camera.cx) / camera.focalPx;
    m[1] += w * -(pixels[2 * i + 1]! - camera.cy) / camera.focalPx;
  }
  if (sw === 0) return false;
  for (let k = 0; k < 3; k++) c[k] /= sw;
  m[0] /= sw;
  m[1] /= sw;
  // Least squares x̃ − m = a·(X − c): normal equations C·a = d with C the 3x3 covariance.
  const C = new Float64Array(9), dx = new Float64Array(3), dy = new Float64Array(3);
  for (let i = 0; i < count; i++) {
    const w = weights[i]!;
    if (!(w > 0)) continue;
    const X = [model[3 * i]! - c[0]!, model[3 * i + 1]! - c[1]!, model[3 * i + 2]! - c[2]!];
    const xt = (pixels[2 * i]! - camera.cx) / camera.focalPx - m[0]!;
    const yt = -(pixels[2 * i + 1]! - camera.cy) / camera.focalPx - m[1]!;
    for (let r = 0; r < 3; r++) {
      dx[r] += w * X[r]! * xt;
      dy[r] += w * X[r]! * yt;
      for (let s = 0; s < 3; s++) C[3 * r + s] += w * X[r]! * X[s]!;
    }
  }
  const inv = invert3(C);
  if (!inv) return false;
  const a1 = mulVec(inv, dx), a2 = mulVec(inv, dy);
  const n1 = Math.hypot(...a1), n2 = Math.hypot(...a2);
  if (n1 === 0 || n2 === 0) return false;
  const scale = (n1 + n2) / 2; // = 1 / depth
  const r1 = a1.map((v) => v / n1);
  const d = r1[0]! * a2[0]! + r1[1]! * a2[1]! + r1[2]! * a2[2]!;
  let r2 = a2.map((v, k) => v - d * r1[k]!);
  const l2 = Math.hypot(...r2);
  r2 = r2.map((v) => v / l2);
  const r3 = [r1[1]! * r2[2]! - r1[2]! * r2[1]!, r1[2]! * r2[0]! - r1[0]! * r2[2]!, r1[0]! * r2[1]! - r1[1]! * r2[0]!];
  rotationOut.set([...r1, ...r2, ...r3]);
  const depth = 1 / scale;
  // The centroid sits at depth `depth` in front of the camera, at the observed mean direction.
  const rc = [0, 1, 2].map((r) => rotationOut[3 * r]! * c[0]! + rotationOut[3 * r + 1]! * c[1]! + rotationOut[3 * r + 2]! * c[2]!);
  translationOut[0] = m[0]! * depth - rc[0]!;
  translationOut[1] = m[1]! * depth - rc[1]!;
  translationOut[2] = -depth - rc[2]!;
  return true;
}

function invert3(m: Float64Array): Float64Array | undefined {
  const [a, b, c, d, e, f, g, h, i] = m as unknown as number[];
  const A = e! * i! - f! * h!, B = -(d! * i! - f! * g!), C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  if (Math.abs(det) < 1e-30) return undefined;
  return Float64Array.of(
    A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det,
    B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det,
    C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det,
  );
}

function mulVec(m: Float64Array, v: Float64Array): [number, number, number] {
  return [
    m[0]! * v[0]! + m[1]! * v[1]! + m[2]! * v[2]!,
    m[3]! * v[0]! + m[4]! * v[1]! + m[5]! * v[2]!,
    m[6]! * v[0]! + m[7]! * v[1]! + m[8]! * v[2]!,
  ];
}
