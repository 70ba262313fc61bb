/**
 * What the tracker needs of a FLAME model beyond FLAME's own files: MediaPipe's 478 landmark
 * embedding, the Multi-PIE 68 and a fitting region. The bundled default model, registered onto
 * the user's FLAME template (see `registerReference`), gives the face region and a first
 * placement of MediaPipe's points; MediaPipe's canonical face is then embedded on FLAME itself
 * from there (`embedPoints`: FLAME's identity fitted to it), so that FLAME's zero expression is
 * MediaPipe's neutral face, whatever FLAME's own mean face looks like. The 68 points are
 * MediaPipe's at the standard correspondence (`multipie68FromMediapipe`), as in the default model.
 */
import type { FaceModel, SurfaceEmbedding } from '../../core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import { restJointPositions } from '../../core/model/skinning.js';
import { hitsToEmbedding } from '../geometry/alignPointsToSurface.js';
import { applySimilarity, fitSimilarity } from '../geometry/similarityTransform.js';
import { embedPoints, mediapipeSkinWeights } from '../registration/embedPoints.js';
import type { ShapeFit } from '../geometry/fitShapeToPoints.js';
import { multipie68FromMediapipe } from '../registration/multipie68.js';
import { mediapipeRegions, registerReference, transferEmbedding, verticesNearRegion, type RegistrationTarget } from '../registration/registerReference.js';
import type { ArkitMap } from '../../core/arkit.js';
import type { ArkitProjection } from '../../core/arkitProjection.js';
import { flameArkitMap, type ArkitShapeError } from './flameArkitMap.js';
import { FLAME_JOINT_NAMES } from './FlameModel.js';
import { levelIrises } from './levelIrises.js';
import { quantile } from '../../core/math/quantile.js';

/** Fitting-region vertices lie within this of the registered default model's face (mm). */
const FACE_REGION_MM = 5;
/** How far MediaPipe's canonical face may sit from FLAME's fitted shape (mm): weighs it against FLAME's identity prior. */
const CANONICAL_POINT_STD_MM = 1;

/** What import-flame carries over onto FLAME (both in the package's models/). */
export interface LandmarkSources {
  /** The bundled default model. */
  defaultModel: FaceModel;
  /** MediaPipe's canonical face with irises (face_model_with_iris.obj), [478][3], cm. */
  mediapipeCanonical: Float32Array;
}

export interface FlameLandmarks {
  mediapipe478: SurfaceEmbedding;
  multipie68: SurfaceEmbedding;
  /** The FLAME vertices under the default model's face area. */
  fittingRegion: Uint32Array;
  /** FLAME's coefficients and joints → ARKit-52 (see `flameArkitMap`), and how well each shape carried over. */
  arkitProjection: ArkitProjection;
  arkitMap: ArkitMap;
  arkitErrors: ArkitShapeError[];
  /** How well it went, mm: the two faces after registration, and MediaPipe's canonical face to FLAME's fitted shape. */
  report: { faceMedianMm: number; faceP95Mm: number; mediapipeMedianMm: number; mediapipeP95Mm: number };
}

/** Registers `reference` (the default model) onto the FLAME model's template and carries its landmarks and face region over. */
export function flameLandmarks(flame: FaceModel, sources: LandmarkSources): FlameLandmarks {
  const reference = sources.defaultModel;
  const target = flameTarget(flame);
  const mm = 1000 * flame.metersPerUnit;
  const registration = registerReference(reference, target, { targetMetersPerUnit: flame.metersPerUnit });
  // MediaPipe's points where the registered default model puts them start the canonical face's alignment.
  const carried = transferEmbedding(registration, reference.mediapipe478!, mediapipeRegions(target), target, flame.metersPerUnit);
  const skinWeights = mediapipeSkinWeights();
  const unskinned = { ...flame, skeleton: undefined, poseCorrectives: undefined };
  const mediapipe = embedPoints(sources.mediapipeCanonical, unskinned, {
    regionsOn: (positions) => mediapipeRegions({ ...target, positions }),
    initial: fitSimilarity(sources.mediapipeCanonical, embeddedPositions(carried.embedding, flame.template), skinWeights),
    fitWeights: skinWeights,
    pointStd: CANONICAL_POINT_STD_MM / mm,
  });
  placeIrisesLevelWithEyes(mediapipe.embedding, flame, unskinned, target, mediapipe.shape, sources.mediapipeCanonical);
  const skinVertices = new Set<number>();
  for (let i = 0; i < target.skinTriangles.length; i++) for (let k = 0; k < 3; k++) skinVertices.add(flame.triangles[3 * target.skinTriangles[i]! + k]!);
  const fittingRegion = verticesNearRegion(registration, reference, reference.fittingRegion, target, Uint32Array.from(skinVertices).sort(), FACE_REGION_MM / mm);
  const arkit = flameArkitMap(flame, reference, registration, fittingRegion);
  const face = Array.from(registration.faceDistancesMm), points = Array.from(mediapipe.residualsMm.subarray(0, 468));
  return {
    mediapipe478: mediapipe.embedding,
    multipie68: multipie68FromMediapipe(mediapipe.embedding),
    fittingRegion,
    arkitProjection: arkit.projection,
    arkitMap: arkit.eyeLooks,
    arkitErrors: arkit.errors,
    report: { faceMedianMm: quantile(face, 0.5), faceP95Mm: quantile(face, 0.95), mediapipeMedianMm: quantile(points, 0.5), mediapipeP95Mm: quantile(points, 0.95) },
  };
}

/** Re-embeds MediaPipe's irises (468–472 on the subject's right eye, 473–477 the left) level with the fitted shape's eye joints (`levelIrises`). */
function placeIrisesLevelWithEyes(
  embedding: SurfaceEmbedding,
  flame: FaceModel,
  unskinned: FaceModel,
  target: RegistrationTarget,
  shape: ShapeFit,
  canonical: Float32Array,
): void {
  const shaped = new FaceModelEvaluator(unskinned).evaluateMesh({ identity: shape.identity, expression: shape.expression });
  const irises = [
    { firstPoint: 468, joint: FLAME_JOINT_NAMES.indexOf('eye_R') },
    { firstPoint: 473, joint: FLAME_JOINT_NAMES.indexOf('eye_L') },
  ];
  const hits = levelIrises(applySimilarity(shape.transform, canonical), restJointPositions(flame, shaped), mediapipeRegions({ ...target, positions: shaped }), irises);
  const placed = hitsToEmbedding(hits, flame.triangles);
  embedding.vertices.set(placed.vertices, 3 * 468);
  embedding.weights.set(placed.weights, 3 * 468);
}

/** The points of an embedding at the given vertex positions, packed xyz. */
function embeddedPositions(embedding: SurfaceEmbedding, positions: ArrayLike<number>): Float64Array {
  const out = new Float64Array(embedding.vertices.length);
  for (let i = 0; i < embedding.vertices.length; i++) {
    const p = Math.floor(i / 3), v = embedding.vertices[i]!, w = embedding.weights[i]!;
    for (let c = 0; c < 3; c++) out[3 * p + c] += w * positions[3 * v + c]!;
  }
  return out;
}

/** The FLAME mesh as a registration target: its triangles split by the joint that moves them most (the eyes', or the skin's). */
function flameTarget(flame: FaceModel): RegistrationTarget {
  const skeleton = flame.skeleton!;
  const leftEye = FLAME_JOINT_NAMES.indexOf('eye_L'), rightEye = FLAME_JOINT_NAMES.indexOf('eye_R');
  // Influences are stored heaviest first.
  const joint = (v: number) => skeleton.skinJoints[v * skeleton.influences]!;
  const skin: number[] = [], left: number[] = [], right: number[] = [];
  for (let t = 0; t < flame.triangles.length / 3; t++) {
    const joints = [0, 1, 2].map((k) => joint(flame.triangles[3 * t + k]!));
    if (joints.every((j) => j === leftEye)) left.push(t);
    else if (joints.every((j) => j === rightEye)) right.push(t);
    else if (joints.every((j) => j !== leftEye && j !== rightEye)) skin.push(t);
  }
  return {
    positions: flame.template,
    triangles: flame.triangles,
    skinTriangles: Uint32Array.from(skin),
    leftEyeTriangles: Uint32Array.from(left),
    rightEyeTriangles: Uint32Array.from(right),
  };
}
