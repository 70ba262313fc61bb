import type { SurfaceEmbedding } from '../../core/model/FaceModel.js';

/**
 * The 68 Multi-PIE (iBUG 300-W) landmarks — jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth
 * 48–67, 0-based, the subject's right side first (image left in a frontal view) — as MediaPipe
 * face-mesh indices: the widely used correspondence (e.g. the `mediapipe_68_idxs` /
 * "MediaPipe → dlib 68" tables of several public face-tracking repositories). Points 60–67 are
 * the inner lip line. The jaw points 0–16 are silhouette points in the 300-W annotation (they
 * slide along the visible contour as the head turns); MediaPipe's face-oval points are fixed on
 * the mesh, so in profile these 17 drift off the contour: accuracy figures use the 51 inner
 * points only (`MULTIPIE68_INNER`).
 */
export const MULTIPIE68_TO_MEDIAPIPE: readonly number[] = [
  162, 234, 93, 58, 172, 136, 149, 148, 152, 377, 378, 365, 397, 288, 323, 454, 389,
  71, 63, 105, 66, 107, 336, 296, 334, 293, 301,
  168, 197, 5, 4, 75, 97, 2, 326, 305,
  33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
  61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181, 78, 82, 13, 312, 308, 317, 14, 87,
];

/** The first of the 51 inner points (brows, nose, eyes, mouth): the jaw contour 0–16 is left out. */
export const MULTIPIE68_INNER_FIRST = 17;
/** Outer eye corners (subject's right, left): the normalising distance of the accuracy figures. */
export const MULTIPIE68_OUTER_EYE_CORNERS = [36, 45] as const;

/**
 * The 68 points as the model's MediaPipe points at `MULTIPIE68_TO_MEDIAPIPE`: the same surface
 * points (triangle, barycentrics) as MediaPipe's embedding, so the model's 68 points land where
 * the fitted 478 mapped to 68 do.
 */
export function multipie68FromMediapipe(mediapipe478: SurfaceEmbedding): SurfaceEmbedding {
  const vertices = new Uint32Array(68 * 3), weights = new Float32Array(68 * 3);
  MULTIPIE68_TO_MEDIAPIPE.forEach((m, i) => {
    vertices.set(mediapipe478.vertices.subarray(3 * m, 3 * m + 3), 3 * i);
    weights.set(mediapipe478.weights.subarray(3 * m, 3 * m + 3), 3 * i);
  });
  return { vertices, weights };
}
