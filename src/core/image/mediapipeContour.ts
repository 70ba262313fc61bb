/**
 * MediaPipe Face Mesh's face oval (FACEMESH_FACE_OVAL), in order around the face. These points
 * lie on the silhouette, which slides over the surface as the head turns, so the fit matches
 * them only across the contour (see `contourDirections`).
 */
export const MEDIAPIPE_FACE_OVAL: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/**
 * For each oval point, the unit normal of the observed contour there (perpendicular to the
 * chord between its two neighbours), written into `out` [478][2] at the point's index.
 */
export function contourDirections(landmarks: ArrayLike<number>, out: Float64Array, oval: readonly number[] = MEDIAPIPE_FACE_OVAL): void {
  const n = oval.length;
  for (let i = 0; i < n; i++) {
    const prev = oval[(i + n - 1) % n]!, next = oval[(i + 1) % n]!, p = oval[i]!;
    const tx = landmarks[2 * next]! - landmarks[2 * prev]!, ty = landmarks[2 * next + 1]! - landmarks[2 * prev + 1]!;
    const len = Math.hypot(tx, ty);
    if (len === 0) continue;
    out[2 * p] = -ty / len;
    out[2 * p + 1] = tx / len;
  }
}
