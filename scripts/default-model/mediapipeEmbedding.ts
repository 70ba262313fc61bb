import { alignPointsToSurface, hitsToEmbedding, quantile } from '../../src/authoring/geometry/alignPointsToSurface.js';
import { applySimilarity, fitSimilarity, type SimilarityTransform } from '../../src/authoring/geometry/similarityTransform.js';
import { TriangleGrid, type SurfacePoint } from '../../src/authoring/geometry/TriangleGrid.js';
import type { FaceModel, SurfaceEmbedding } from '../../src/core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../src/core/model/FaceModelEvaluator.js';
import { fitShapeToPoints, type ShapeFit } from '../../src/authoring/geometry/fitShapeToPoints.js';

/**
 * MediaPipe face-mesh index of each of the 68 Multi-PIE (iBUG 300-W) landmarks: the widely used
 * correspondence (jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67).
 */
const MULTIPIE68_TO_MEDIAPIPE = [
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

/** Rounds of identity fit + re-projection. */
const NON_RIGID_ROUNDS = 3;

/** How far MediaPipe's canonical face may sit from the fitted model (cm): weighs the points against the shape priors. */
const POINT_STD_CM = 0.1;

export interface MediapipeEmbedding {
  embedding: SurfaceEmbedding;
  /** Distance from each aligned MediaPipe point to its embedded point on the fitted shape, mm. */
  residualsMm: Float64Array;
  /** The same after the rigid alignment alone, on the neutral mesh, mm. */
  rigidResidualsMm: Float64Array;
  /** The shape the points were finally projected onto. */
  shape: ShapeFit;
}

/**
 * Embeds MediaPipe's 478 canonical-face points (`face_model_with_iris.obj`, cm) on the ICT
 * FaceKit model (needs `sourceVertex` and `multipie68`):
 * 1. rigid: a similarity fitted on the inner 51 Multi-PIE correspondences (the jaw contour is
 *    view-dependent), refined by closest-point ICP over the face area;
 * 2. non-rigid: the model's identity (expressions held at zero) fitted to the aligned points, and
 *    the points projected again onto that shape, so each lands where the anatomy matches rather
 *    than where the average faces happen to overlap (barycentrics carry over to every shape).
 *    Expressions stay at zero on purpose: MediaPipe's canonical face is a neutral face, and it must
 *    correspond to the model's zero expression, or every tracked face at rest would report the
 *    offsets (e.g. eyeWide, mouthLowerDown) the fit needed to reach the canonical shape.
 * Points 0–467 land on the face area, 468–477 on their own iris.
 */
export function embedMediapipe(mediapipe: Float32Array, model: FaceModel): MediapipeEmbedding {
  if (mediapipe.length !== 478 * 3) throw new Error(`MediaPipe canonical face: expected 478 points, got ${mediapipe.length / 3}`);
  const regionsOn = regionGrids(model);
  const evaluator = new FaceModelEvaluator(model);
  const rigid = alignPointsToSurface(mediapipe, {
    regions: regionsOn(model.template),
    initial: multipieSimilarity(mediapipe, model),
    iterations: 20,
    fitWeights: skinOnly(),
  });
  const fitAndProject = (hits: readonly SurfacePoint[], initial: SimilarityTransform) => {
    const shape = fitShapeToPoints(model, mediapipe, {
      embedding: hitsToEmbedding(hits, model.triangles),
      weights: skinOnly(),
      pointStd: POINT_STD_CM,
      initial,
      iterations: 5,
      expressions: false,
    });
    const shaped = evaluator.evaluateMesh({ identity: shape.identity, expression: shape.expression });
    return { shape, hits: alignPointsToSurface(mediapipe, { regions: regionsOn(shaped), initial: shape.transform, iterations: 0 }).hits };
  };
  let round = fitAndProject(rigid.hits, rigid.transform);
  for (let r = 1; r < NON_RIGID_ROUNDS; r++) round = fitAndProject(round.hits, round.shape.transform);

  const toMm = model.metersPerUnit * 1000;
  const distancesMm = (hits: readonly SurfacePoint[]) => Float64Array.from(hits, (h) => h.distance * toMm);
  return {
    embedding: hitsToEmbedding(round.hits, model.triangles),
    residualsMm: distancesMm(round.hits),
    rigidResidualsMm: distancesMm(rigid.hits),
    shape: round.shape,
  };
}

/**
 * How well an embedding describes MediaPipe's canonical face: fit a similarity and the model's
 * shape to the 468 skin points at their embedded positions, then each point's distance to its
 * embedded point (mm). Measures a shipped model without its build inputs.
 */
export function embeddingResidualsMm(model: FaceModel, mediapipe: Float32Array): Float64Array {
  const evaluator = new FaceModelEvaluator(model);
  const basis = evaluator.embedded(model.mediapipe478!);
  const skin = skinOnly();
  const fit = fitShapeToPoints(model, mediapipe, {
    embedding: model.mediapipe478!,
    weights: skin,
    pointStd: POINT_STD_CM,
    initial: fitSimilarity(mediapipe, evaluator.evaluate(basis, {}), skin),
    iterations: 10,
    expressions: false,
  });
  const embedded = evaluator.evaluate(basis, { identity: fit.identity, expression: fit.expression });
  const aligned = applySimilarity(fit.transform, mediapipe);
  const toMm = model.metersPerUnit * 1000;
  return Float64Array.from({ length: 478 }, (_, i) =>
    toMm * Math.hypot(aligned[3 * i]! - embedded[3 * i]!, aligned[3 * i + 1]! - embedded[3 * i + 1]!, aligned[3 * i + 2]! - embedded[3 * i + 2]!),
  );
}

/** Median, 95th percentile and maximum (mm), for reports. */
export function residualSummary(residualsMm: ArrayLike<number>): { medianMm: number; p95Mm: number; maxMm: number } {
  const values = Array.from(residualsMm);
  return { medianMm: quantile(values, 0.5), p95Mm: quantile(values, 0.95), maxMm: Math.max(...values) };
}

/** Weight 1 for the 468 skin points, 0 for the irises: the eyeballs sit at different depths in the two models, so the skin alone steers alignments and fits. */
function skinOnly(): Float64Array {
  return Float64Array.from({ length: 478 }, (_, i) => (i < 468 ? 1 : 0));
}

/** The similarity taking MediaPipe's points to the model's Multi-PIE landmarks 17–67. */
function multipieSimilarity(mediapipe: Float32Array, model: FaceModel) {
  const evaluator = new FaceModelEvaluator(model);
  const multipie = evaluator.evaluate(evaluator.embedded(model.multipie68!), {});
  const inner = MULTIPIE68_TO_MEDIAPIPE.map((m, i) => [m, i] as const).filter(([, i]) => i >= 17);
  return fitSimilarity(
    inner.flatMap(([m]) => [0, 1, 2].map((c) => mediapipe[3 * m + c]!)),
    inner.flatMap(([, i]) => [0, 1, 2].map((c) => multipie[3 * i + c]!)),
  );
}

/** Per MediaPipe point, a closest-point grid over its region of the mesh at the given vertex positions. */
function regionGrids(model: FaceModel): (positions: Float32Array) => TriangleGrid[] {
  const face = trianglesWithin(model, ICT_FACE), irisLeft = trianglesWithin(model, ICT_IRIS_LEFT), irisRight = trianglesWithin(model, ICT_IRIS_RIGHT);
  return (positions) => {
    const grid = (ids: Uint32Array) => new TriangleGrid(positions, model.triangles, ids);
    const [f, l, r] = [grid(face), grid(irisLeft), grid(irisRight)];
    return Array.from({ length: 478 }, (_, i) => (RIGHT_IRIS.includes(i) ? r : LEFT_IRIS.includes(i) ? l : f));
  };
}

/** Triangles all of whose corners come from ICT OBJ vertices in [first, last]. */
function trianglesWithin(model: FaceModel, [first, last]: [number, number]): Uint32Array {
  const source = model.sourceVertex!;
  const out: number[] = [];
  for (let t = 0; t < model.triangles.length / 3; t++) {
    let inside = true;
    for (let k = 0; k < 3; k++) {
      const s = source[model.triangles[3 * t + k]!]!;
      if (s < first || s > last) inside = false;
    }
    if (inside) out.push(t);
  }
  return Uint32Array.from(out);
}
