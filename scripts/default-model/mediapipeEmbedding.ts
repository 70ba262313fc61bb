import { fitShapeToPoints } from '../../src/authoring/geometry/fitShapeToPoints.js';
import { applySimilarity, fitSimilarity } from '../../src/authoring/geometry/similarityTransform.js';
import { TriangleGrid } from '../../src/authoring/geometry/TriangleGrid.js';
import { MULTIPIE68_INNER_FIRST, MULTIPIE68_TO_MEDIAPIPE } from '../../src/authoring/registration/multipie68.js';
import { embedPoints, mediapipeSkinWeights, type PointEmbedding } from '../../src/authoring/registration/embedPoints.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../src/core/model/FaceModelEvaluator.js';
import { quantile } from '../../src/core/math/quantile.js';

/** MediaPipe's iris points: 468–472 the subject's right iris (centre first), 473–477 the left. */
const RIGHT_IRIS = [468, 469, 470, 471, 472];
const LEFT_IRIS = [473, 474, 475, 476, 477];

/** ICT FaceKit OBJ vertex ranges (README-upstream.md), [first, last]. */
const ICT_FACE: [number, number] = [0, 9408];
const ICT_IRIS_LEFT: [number, number] = [22221, 23020];
const ICT_IRIS_RIGHT: [number, number] = [23791, 24590];

/** How far MediaPipe's canonical face may sit from the fitted model (cm): weighs the points against the shape priors. */
const POINT_STD_CM = 0.1;

/**
 * Embeds MediaPipe's 478 canonical-face points (`face_model_with_iris.obj`, cm) on the ICT
 * FaceKit model (needs `sourceVertex` and `multipie68`; see `embedPoints`): the rigid start is a
 * similarity fitted on the inner 51 Multi-PIE correspondences (the jaw contour is
 * view-dependent). Points 0–467 land on the face area, 468–477 on their own iris.
 */
export function embedMediapipe(mediapipe: Float32Array, model: FaceModel): PointEmbedding {
  if (mediapipe.length !== 478 * 3) throw new Error(`MediaPipe canonical face: expected 478 points, got ${mediapipe.length / 3}`);
  return embedPoints(mediapipe, model, {
    regionsOn: regionGrids(model),
    initial: multipieSimilarity(mediapipe, model),
    fitWeights: mediapipeSkinWeights(),
    pointStd: POINT_STD_CM,
  });
}

/**
 * How well an embedding describes MediaPipe's canonical face: fit a similarity and the model's
 * shape to the 468 skin points at their embedded positions, then each point's distance to its
 * embedded point (mm). Measures a shipped model without its build inputs.
 */
export function embeddingResidualsMm(model: FaceModel, mediapipe: Float32Array): Float64Array {
  const evaluator = new FaceModelEvaluator(model);
  const basis = evaluator.embedded(model.mediapipe478!);
  const skin = mediapipeSkinWeights();
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


/** The similarity taking MediaPipe's points to the model's Multi-PIE landmarks 17–67. */
function multipieSimilarity(mediapipe: Float32Array, model: FaceModel) {
  const evaluator = new FaceModelEvaluator(model);
  const multipie = evaluator.evaluate(evaluator.embedded(model.multipie68!), {});
  const inner = MULTIPIE68_TO_MEDIAPIPE.map((m, i) => [m, i] as const).filter(([, i]) => i >= MULTIPIE68_INNER_FIRST);
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
