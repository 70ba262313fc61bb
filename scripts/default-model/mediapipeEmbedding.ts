import { alignPointsToSurface, hitsToEmbedding, quantile } from '../../src/core/geometry/alignPointsToSurface.js';
import { fitSimilarity } from '../../src/core/geometry/similarityTransform.js';
import { TriangleGrid } from '../../src/core/geometry/TriangleGrid.js';
import type { SurfaceEmbedding } from '../../src/core/model/FaceModel.js';
import { firstSplitCopies, gatherVec3, type IctMesh } from './buildIctFaceModel.js';

/**
 * MediaPipe face-mesh index of each of the 68 Multi-PIE (iBUG 300-W) landmarks: the widely used
 * correspondence (jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67).
 */
export const MULTIPIE68_TO_MEDIAPIPE = [
  162, 234, 93, 58, 172, 136, 149, 148, 152, 377, 378, 365, 397, 288, 323, 454, 389,
  71, 63, 105, 66, 107, 336, 296, 334, 293, 301,
  168, 197, 5, 4, 75, 97, 2, 326, 305,
  33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
  61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181, 78, 82, 13, 312, 308, 317, 14, 87,
] as const;

/** MediaPipe's iris points: 468–472 the subject's right iris (centre first), 473–477 the left. */
const RIGHT_IRIS = [468, 469, 470, 471, 472];
const LEFT_IRIS = [473, 474, 475, 476, 477];

/** ICT FaceKit OBJ vertex ranges (README-upstream.md), [first, last]. */
const ICT_FACE: [number, number] = [0, 9408];
const ICT_IRIS_LEFT: [number, number] = [22221, 23020];
const ICT_IRIS_RIGHT: [number, number] = [23791, 24590];

export interface MediapipeEmbeddingResult {
  embedding: SurfaceEmbedding;
  /** Distance from each aligned MediaPipe point to its embedded point, mm. */
  residualsMm: Float64Array;
}

/**
 * Embeds MediaPipe's 478 canonical-face points (`face_model_with_iris.obj`, cm) on the ICT mesh:
 * a similarity fitted on the inner 51 Multi-PIE correspondences (the jaw contour is
 * view-dependent), refined by closest-point ICP over the face area, then each point projected onto
 * the face (points 0–467) or onto its own iris (468–477).
 *
 * @param landmarks68 ICT OBJ vertex of each Multi-PIE landmark (upstream's idx_to_landmark_verts)
 */
export function embedMediapipe(mediapipe: Float32Array, mesh: IctMesh, landmarks68: readonly number[], metersPerUnit: number): MediapipeEmbeddingResult {
  if (mediapipe.length !== 478 * 3) throw new Error(`MediaPipe canonical face: expected 478 points, got ${mediapipe.length / 3}`);
  const inner = MULTIPIE68_TO_MEDIAPIPE.map((_, i) => i).filter((i) => i >= 17);
  const initial = fitSimilarity(
    gatherVec3(mediapipe, inner.map((i) => MULTIPIE68_TO_MEDIAPIPE[i]!)),
    gatherVec3(mesh.template, firstSplitCopies(mesh.sourceVertex, inner.map((i) => landmarks68[i]!))),
  );
  const face = new TriangleGrid(mesh.template, mesh.triangles, trianglesWithin(mesh, ICT_FACE));
  const irisLeft = new TriangleGrid(mesh.template, mesh.triangles, trianglesWithin(mesh, ICT_IRIS_LEFT));
  const irisRight = new TriangleGrid(mesh.template, mesh.triangles, trianglesWithin(mesh, ICT_IRIS_RIGHT));
  const regions = Array.from({ length: 478 }, (_, i) => (RIGHT_IRIS.includes(i) ? irisRight : LEFT_IRIS.includes(i) ? irisLeft : face));
  const fit = alignPointsToSurface(mediapipe, {
    regions,
    initial,
    iterations: 20,
    // The eyeballs sit at different depths in the two models; the skin alone steers the alignment.
    fitWeights: Float64Array.from(regions, (r) => (r === face ? 1 : 0)),
  });
  const toMm = metersPerUnit * 1000;
  return { embedding: hitsToEmbedding(fit.hits, mesh.triangles), residualsMm: Float64Array.from(fit.hits, (h) => h.distance * toMm) };
}

/** Median and 95th percentile of residuals (mm), for reports. */
export function residualSummary(residualsMm: ArrayLike<number>): { medianMm: number; p95Mm: number; maxMm: number } {
  const values = Array.from(residualsMm);
  return { medianMm: quantile(values, 0.5), p95Mm: quantile(values, 0.95), maxMm: Math.max(...values) };
}

/** Triangles all of whose corners come from OBJ vertices in [first, last]. */
function trianglesWithin(mesh: IctMesh, [first, last]: [number, number]): Uint32Array {
  const out: number[] = [];
  for (let t = 0; t < mesh.triangles.length / 3; t++) {
    let inside = true;
    for (let k = 0; k < 3; k++) {
      const s = mesh.sourceVertex[mesh.triangles[3 * t + k]!]!;
      if (s < first || s > last) inside = false;
    }
    if (inside) out.push(t);
  }
  return Uint32Array.from(out);
}
