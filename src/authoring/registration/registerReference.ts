/**
 * Registers the reference face model (the bundled default, which carries MediaPipe's landmark
 * embedding, the Multi-PIE 68, a fitting region and ARKit-named expressions) onto another head
 * mesh (e.g. a user's FLAME template): a similarity by closest-point ICP over the reference's face
 * area, then the reference's identity and expressions fitted so that its face lies on the target's surface. What
 * the reference knows can then be carried over point by point (`transferEmbedding`,
 * `verticesNearRegion`, the ARKit transfer).
 */
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import type { FaceModel, SurfaceEmbedding } from '../../core/model/FaceModel.js';
import { alignPointsToSurface, hitsToEmbedding } from '../geometry/alignPointsToSurface.js';
import { fitShapeToPoints } from '../geometry/fitShapeToPoints.js';
import { applySimilarity, invertSimilarity, type SimilarityTransform } from '../geometry/similarityTransform.js';
import { TriangleGrid, type SurfacePoint } from '../geometry/TriangleGrid.js';
import { quantile } from '../../core/math/quantile.js';

/** The mesh to register onto, and which of its triangles are skin and which the eyeballs. */
export interface RegistrationTarget {
  /** [vertexCount][3], the target's units. */
  positions: ArrayLike<number>;
  triangles: ArrayLike<number>;
  /** The head's skin (where the reference's face must land). */
  skinTriangles: ArrayLike<number>;
  /** The subject's left eyeball (+X) and right eyeball: where iris points land. */
  leftEyeTriangles: ArrayLike<number>;
  rightEyeTriangles: ArrayLike<number>;
}

export interface ReferenceRegistration {
  /** The reference's vertices, shaped by `identity` and moved into the target's frame ([count][3], target units). */
  referenceOnTarget: Float64Array;
  /** The reference's identity coefficients that shape it like the target. */
  identity: Float64Array;
  /** Its expression coefficients that open its eyes and mouth as the target's are. */
  expression: Float64Array;
  /** Reference frame → target frame. */
  transform: SimilarityTransform;
  /** Distance from each of the reference's fitting-region vertices to the target's skin after the fit, mm. */
  faceDistancesMm: Float64Array;
  /** The same after the rigid alignment alone, mm. */
  rigidFaceDistancesMm: Float64Array;
}

export interface RegistrationOptions {
  /** Metres per target unit (FLAME: 1). */
  targetMetersPerUnit: number;
  /** ICP rounds of the rigid alignment. Default 30. */
  rigidIterations?: number;
  /** Rounds of identity fit and re-projection. Default 6. */
  nonRigidRounds?: number;
}

/** Every this many face vertices steer the fits (thousands would cost time, not accuracy). */
const FIT_STRIDE = 3;
/** How far the target's surface may sit from the fitted reference (reference units, cm): weighs the points against the identity prior. */
const POINT_STD = 0.15;
/** MediaPipe's nose tip: anchors the initial alignment. */
const MEDIAPIPE_NOSE_TIP = 1;

export function registerReference(reference: FaceModel, target: RegistrationTarget, options: RegistrationOptions): ReferenceRegistration {
  if (!reference.mediapipe478) throw new Error('registerReference: the reference needs a MediaPipe embedding');
  const evaluator = new FaceModelEvaluator(reference);
  const face = Uint32Array.from(reference.fittingRegion.filter((_, i) => i % FIT_STRIDE === 0));
  const faceEmbedding = vertexEmbedding(face);
  const restFace = evaluator.evaluate(evaluator.embedded(faceEmbedding), {});
  const skin = new TriangleGrid(target.positions, target.triangles, target.skinTriangles);
  const regions = Array.from({ length: face.length }, () => skin);

  const rigid = alignPointsToSurface(restFace, { regions, initial: initialAlignment(reference, evaluator, target), iterations: options.rigidIterations ?? 30, trim: 0.2 });
  const toMm = (distance: number) => distance * options.targetMetersPerUnit * 1000;

  // Non-rigid: the reference's identity fitted to the projections of its face onto the target,
  // then the face projected again from where the fitted shape puts it.
  let hits = rigid.hits;
  let identity: Float64Array = new Float64Array(reference.identity.names.length);
  let expression: Float64Array = new Float64Array(reference.expression.names.length);
  let toReference = invertSimilarity(rigid.transform);
  for (let round = 0; round < (options.nonRigidRounds ?? 6); round++) {
    const targets = hitPositions(hits, skin);
    const trimmed = quantile(hits.map((h) => h.distance), 0.9);
    const fit = fitShapeToPoints(reference, targets, {
      embedding: faceEmbedding,
      weights: Float64Array.from(hits, (h) => (h.distance <= trimmed ? 1 : 0)),
      pointStd: POINT_STD,
      initial: toReference,
      iterations: 3,
      // Expressions too: the target's eyes and mouth may rest more open or closed than the reference's.
      expressions: true,
    });
    identity = fit.identity;
    expression = fit.expression;
    toReference = fit.transform;
    const shaped = applySimilarity(invertSimilarity(toReference), evaluator.evaluate(evaluator.embedded(faceEmbedding), { identity, expression }));
    hits = regions.map((grid, i) => grid.closest(shaped, i));
  }
  const transform = invertSimilarity(toReference);
  const referenceOnTarget = applySimilarity(transform, evaluator.evaluateMesh({ identity, expression }));
  const allFace = Array.from(reference.fittingRegion, (v) => skin.closest(referenceOnTarget, v).distance);
  return {
    referenceOnTarget,
    identity,
    expression,
    transform,
    faceDistancesMm: Float64Array.from(allFace, toMm),
    rigidFaceDistancesMm: Float64Array.from(rigid.hits, (h) => toMm(h.distance)),
  };
}

/** Target regions for MediaPipe's 478 points: the skin for 0–467, each iris on its own eyeball. */
export function mediapipeRegions(target: RegistrationTarget): TriangleGrid[] {
  const skin = new TriangleGrid(target.positions, target.triangles, target.skinTriangles);
  const left = new TriangleGrid(target.positions, target.triangles, target.leftEyeTriangles);
  const right = new TriangleGrid(target.positions, target.triangles, target.rightEyeTriangles);
  // 468–472: the subject's right iris (centre first), 473–477: the left.
  return Array.from({ length: 478 }, (_, i) => (i >= 473 ? left : i >= 468 ? right : skin));
}

/**
 * An embedding on the reference carried onto the target: each embedded point, where the
 * registered reference puts it, projected onto its region of the target. Distances in mm.
 */
export function transferEmbedding(
  registration: ReferenceRegistration,
  embedding: SurfaceEmbedding,
  regions: readonly TriangleGrid[],
  target: RegistrationTarget,
  targetMetersPerUnit: number,
): { embedding: SurfaceEmbedding; distancesMm: Float64Array } {
  const count = embedding.vertices.length / 3;
  const points = new Float64Array(count * 3);
  const on = registration.referenceOnTarget;
  for (let p = 0; p < count; p++) {
    for (let k = 0; k < 3; k++) {
      const v = embedding.vertices[3 * p + k]!, w = embedding.weights[3 * p + k]!;
      for (let c = 0; c < 3; c++) points[3 * p + c] += w * on[3 * v + c]!;
    }
  }
  const hits: SurfacePoint[] = regions.map((grid, i) => grid.closest(points, i));
  return { embedding: hitsToEmbedding(hits, target.triangles), distancesMm: Float64Array.from(hits, (h) => h.distance * targetMetersPerUnit * 1000) };
}

/**
 * The target vertices (among `candidates`) within `maxDistance` (target units) of the registered
 * reference's triangles whose corners all lie in `region` (reference vertex indices).
 */
export function verticesNearRegion(
  registration: ReferenceRegistration,
  reference: FaceModel,
  region: ArrayLike<number>,
  target: RegistrationTarget,
  candidates: ArrayLike<number>,
  maxDistance: number,
): Uint32Array {
  const inRegion = new Uint8Array(reference.vertexCount);
  for (let i = 0; i < region.length; i++) inRegion[region[i]!] = 1;
  const triangles: number[] = [];
  for (let t = 0; t < reference.triangles.length / 3; t++) {
    if (inRegion[reference.triangles[3 * t]!] && inRegion[reference.triangles[3 * t + 1]!] && inRegion[reference.triangles[3 * t + 2]!]) triangles.push(t);
  }
  const grid = new TriangleGrid(registration.referenceOnTarget, reference.triangles, triangles);
  const near: number[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const v = candidates[i]!;
    if (grid.closest(target.positions, v).distance <= maxDistance) near.push(v);
  }
  return Uint32Array.from(near);
}

/**
 * Scale from the heads' widths (ear to ear), no rotation (both face +Z with Y up), and the
 * reference's nose tip on the target's most forward skin point near the midline.
 */
function initialAlignment(reference: FaceModel, evaluator: FaceModelEvaluator, target: RegistrationTarget): SimilarityTransform {
  const skinVertices = new Set<number>();
  for (let i = 0; i < target.skinTriangles.length; i++) for (let k = 0; k < 3; k++) skinVertices.add(target.triangles[3 * target.skinTriangles[i]! + k]!);
  const p = target.positions;
  let minX = Infinity, maxX = -Infinity;
  for (const v of skinVertices) {
    minX = Math.min(minX, p[3 * v]!);
    maxX = Math.max(maxX, p[3 * v]!);
  }
  const midX = (minX + maxX) / 2, width = maxX - minX;
  let nose = -1;
  for (const v of skinVertices) {
    if (Math.abs(p[3 * v]! - midX) < 0.1 * width && (nose < 0 || p[3 * v + 2]! > p[3 * nose + 2]!)) nose = v;
  }
  const t = reference.template;
  let refMin = Infinity, refMax = -Infinity;
  for (let v = 0; v < reference.vertexCount; v++) {
    refMin = Math.min(refMin, t[3 * v]!);
    refMax = Math.max(refMax, t[3 * v]!);
  }
  const scale = width / (refMax - refMin);
  const tip = evaluator.evaluate(evaluator.embedded(pick(reference.mediapipe478!, MEDIAPIPE_NOSE_TIP)), {});
  return {
    scale,
    rotation: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
    translation: Float64Array.from([0, 1, 2], (c) => p[3 * nose + c]! - scale * tip[c]!),
  };
}

/** One point of an embedding, as an embedding. */
function pick(embedding: SurfaceEmbedding, point: number): SurfaceEmbedding {
  return { vertices: embedding.vertices.slice(3 * point, 3 * point + 3), weights: embedding.weights.slice(3 * point, 3 * point + 3) };
}

/** Each vertex as a point of the surface. */
function vertexEmbedding(vertices: Uint32Array): SurfaceEmbedding {
  const out = { vertices: new Uint32Array(vertices.length * 3), weights: new Float32Array(vertices.length * 3) };
  vertices.forEach((v, i) => {
    out.vertices.set([v, v, v], 3 * i);
    out.weights[3 * i] = 1;
  });
  return out;
}

function hitPositions(hits: readonly SurfacePoint[], grid: TriangleGrid): Float64Array {
  const out = new Float64Array(hits.length * 3);
  hits.forEach((h, i) => grid.locate(h, out, i));
  return out;
}
