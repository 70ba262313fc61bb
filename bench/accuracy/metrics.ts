/**
 * The accuracy benchmark's figures, pure math on 2D points (px, flat [n][2] arrays) so they can be
 * unit-tested on synthetic points:
 * - NME: mean distance over the 51 inner Multi-PIE points (the jaw contour is view-dependent),
 *   over the reference's outer-eye-corner distance (points 36, 45).
 * - NMJ (normalised mean jitter, as LDEQ's): mean frame-to-frame displacement of every point in
 *   still segments, over the face size (MediaPipe's outer-eye-corner distance).
 * (The ARKit figures are the blendshapes bench's: `../blendshapeMetrics.ts`.)
 */
import { MULTIPIE68_INNER_FIRST, MULTIPIE68_OUTER_EYE_CORNERS, MULTIPIE68_TO_MEDIAPIPE } from '../../src/authoring/registration/multipie68.js';
import { quantile } from '../../src/core/math/quantile.js';

export type Points = ArrayLike<number>;

/** MediaPipe's 478 points (or the model's 478 embedded ones) → the 68 Multi-PIE points. */
export function mediapipeTo68(points478: Points): Float32Array {
  const out = new Float32Array(68 * 2);
  MULTIPIE68_TO_MEDIAPIPE.forEach((m, i) => {
    out[2 * i] = points478[2 * m]!;
    out[2 * i + 1] = points478[2 * m + 1]!;
  });
  return out;
}

function distance(a: Points, i: number, b: Points, j: number): number {
  return Math.hypot(a[2 * i]! - b[2 * j]!, a[2 * i + 1]! - b[2 * j + 1]!);
}

/** Outer-eye-corner distance of 68 points (px). */
export function outerEyeCornerDistance(points68: Points): number {
  const [right, left] = MULTIPIE68_OUTER_EYE_CORNERS;
  return distance(points68, right, points68, left);
}

/** NME of `predicted` against `reference` (both 68 points): inner 51 points, outer-eye-corner normalised. */
export function nme(predicted: Points, reference: Points): number {
  let sum = 0;
  for (let i = MULTIPIE68_INNER_FIRST; i < 68; i++) sum += distance(predicted, i, reference, i);
  return sum / (68 - MULTIPIE68_INNER_FIRST) / outerEyeCornerDistance(reference);
}

/** Mean distance between the same points of two frames. */
function meanDisplacement(a: Points, b: Points): number {
  const n = a.length / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += distance(a, i, b, i);
  return sum / n;
}

function medianDisplacement(a: Points, b: Points): number {
  return quantile(Array.from({ length: a.length / 2 }, (_, i) => distance(a, i, b, i)), 0.5);
}

/**
 * How still the head is: a step (frame i − 1 → i) is still when the raw points' median
 * displacement across the 5-frame window around it (frame i − 3 → i + 2) is under
 * `maxMotion` × the face size. The median ignores a blink or a word; a turn or a nod moves most
 * points and is left out, so what remains of each point's motion is jitter.
 */
export function stillSteps(raw: readonly Points[], faceSizes: readonly number[], maxMotion = 0.02): boolean[] {
  return raw.map((_, i) => {
    if (i < 3 || i + 2 >= raw.length) return false;
    return medianDisplacement(raw[i - 3]!, raw[i + 2]!) < maxMotion * faceSizes[i]!;
  });
}

/** NMJ: mean over the still steps of the mean frame-to-frame displacement over the face size; NaN without still steps. */
export function normalisedMeanJitter(points: readonly Points[], faceSizes: readonly number[], still: readonly boolean[]): number {
  let sum = 0, count = 0;
  for (let i = 1; i < points.length; i++) {
    if (!still[i]) continue;
    sum += meanDisplacement(points[i - 1]!, points[i]!) / faceSizes[i]!;
    count++;
  }
  return count ? sum / count : NaN;
}

/**
 * Jitter where the head moves too (most of the example clips never hold still): each point's
 * distance from the midpoint of its neighbours in time, |p(i−1) − 2·p(i) + p(i+1)| / 2, i.e. half
 * its second difference, averaged over the points and over frames i whose neighbours are the
 * adjacent frames (`consecutive`), over the face size. Steady motion (constant velocity) adds
 * nothing; independent noise of std σ per coordinate gives √(3/2)·σ·√(π/2) ≈ 1.53·σ.
 */
export function accelerationJitter(points: readonly Points[], faceSizes: readonly number[], consecutive: readonly boolean[]): number {
  let sum = 0, count = 0;
  for (let i = 1; i + 1 < points.length; i++) {
    if (!consecutive[i] || !consecutive[i + 1]) continue;
    const [a, b, c] = [points[i - 1]!, points[i]!, points[i + 1]!];
    let frame = 0;
    for (let k = 0; k < b.length / 2; k++) frame += Math.hypot(a[2 * k]! - 2 * b[2 * k]! + c[2 * k]!, a[2 * k + 1]! - 2 * b[2 * k + 1]! + c[2 * k + 1]!) / 2;
    sum += frame / (b.length / 2) / faceSizes[i]!;
    count++;
  }
  return count ? sum / count : NaN;
}

export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? quantile(finite, 0.5) : NaN;
}

export function mean(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((s, v) => s + v, 0) / finite.length : NaN;
}
