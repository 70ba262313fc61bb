/**
 * Embeds a point set with a face's shape (e.g. MediaPipe's canonical face) on a face model, as
 * barycentric points that follow every shape of the model: a rigid alignment (closest-point ICP
 * from an initial similarity), then rounds of the model's identity fitted to the points
 * (expressions held at zero) and the points projected onto that shape, so each lands where the
 * anatomy matches rather than where the two average faces happen to overlap. Expressions stay
 * at zero on purpose: MediaPipe's canonical face is neutral, and it must correspond to the
 * model's zero expression, or every tracked face at rest would report the offsets (eyeWide,
 * mouthLowerDown, …) the fit needed to reach the canonical shape.
 */
import type { FaceModel } from '../../core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import type { SurfaceEmbedding } from '../../core/model/FaceModel.js';
import { alignPointsToSurface, hitsToEmbedding } from '../geometry/alignPointsToSurface.js';
import { fitShapeToPoints, type ShapeFit } from '../geometry/fitShapeToPoints.js';
import type { SimilarityTransform } from '../geometry/similarityTransform.js';
import type { SurfacePoint, TriangleGrid } from '../geometry/TriangleGrid.js';

export interface EmbedPointsOptions {
  /** Per point, the part of the surface it may land on, for the model's vertices at `positions`. */
  regionsOn: (positions: Float32Array) => TriangleGrid[];
  /** The points' frame → the model's, to start the alignment from. */
  initial: SimilarityTransform;
  /** Per point weight in the alignment and the shape fit (0: projected, never steering). */
  fitWeights: ArrayLike<number>;
  /** How far the points may sit from the fitted model, model units: weighs them against the identity prior. */
  pointStd: number;
  /** ICP rounds of the rigid alignment. Default 20. */
  rigidIterations?: number;
  /** Rounds of identity fit and re-projection. Default 3. */
  rounds?: number;
}

export interface PointEmbedding {
  embedding: SurfaceEmbedding;
  /** Distance from each aligned point to its embedded point on the fitted shape, mm. */
  residualsMm: Float64Array;
  /** The same after the rigid alignment alone, on the model's template, mm. */
  rigidResidualsMm: Float64Array;
  /** The shape the points were finally projected onto. */
  shape: ShapeFit;
}

/** See the module comment. `model` must be unskinned (a skinned model at rest: pass it without its skeleton). */
export function embedPoints(points: Float32Array, model: FaceModel, options: EmbedPointsOptions): PointEmbedding {
  const evaluator = new FaceModelEvaluator(model);
  const rigid = alignPointsToSurface(points, { regions: options.regionsOn(model.template), initial: options.initial, iterations: options.rigidIterations ?? 20, fitWeights: options.fitWeights });
  const fitAndProject = (hits: readonly SurfacePoint[], initial: SimilarityTransform) => {
    const shape = fitShapeToPoints(model, points, {
      embedding: hitsToEmbedding(hits, model.triangles),
      weights: options.fitWeights,
      pointStd: options.pointStd,
      initial,
      iterations: 5,
      expressions: false,
    });
    const shaped = evaluator.evaluateMesh({ identity: shape.identity, expression: shape.expression });
    return { shape, hits: alignPointsToSurface(points, { regions: options.regionsOn(shaped), initial: shape.transform, iterations: 0 }).hits };
  };
  let round = fitAndProject(rigid.hits, rigid.transform);
  for (let r = 1; r < (options.rounds ?? 3); r++) round = fitAndProject(round.hits, round.shape.transform);

  const toMm = model.metersPerUnit * 1000;
  const distancesMm = (hits: readonly SurfacePoint[]) => Float64Array.from(hits, (h) => h.distance * toMm);
  return {
    embedding: hitsToEmbedding(round.hits, model.triangles),
    residualsMm: distancesMm(round.hits),
    rigidResidualsMm: distancesMm(rigid.hits),
    shape: round.shape,
  };
}

/** Weight 1 for MediaPipe's 468 skin points, 0 for the irises: eyeballs sit at different depths in different models, so the skin alone steers alignments and fits. */
export function mediapipeSkinWeights(): Float64Array {
  return Float64Array.from({ length: 478 }, (_, i) => (i < 468 ? 1 : 0));
}
