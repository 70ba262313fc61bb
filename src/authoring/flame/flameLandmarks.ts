/**
 * What the tracker needs of a FLAME model beyond FLAME's own files: MediaPipe's 478 landmark
 * embedding, the Multi-PIE 68 and a fitting region, carried over from the bundled default model
 * registered onto the user's FLAME template (see `registerReference`).
 */
import type { FaceModel, SurfaceEmbedding } from '../../core/model/FaceModel.js';
import { quantile } from '../geometry/alignPointsToSurface.js';
import { TriangleGrid } from '../geometry/TriangleGrid.js';
import { mediapipeRegions, registerReference, transferEmbedding, verticesNearRegion, type RegistrationTarget } from '../registration/registerReference.js';
import { FLAME_JOINT_NAMES } from './FlameModel.js';

/** Fitting-region vertices lie within this of the registered default model's face (mm). */
const FACE_REGION_MM = 5;

export interface FlameLandmarks {
  mediapipe478: SurfaceEmbedding;
  multipie68: SurfaceEmbedding;
  /** The FLAME vertices under the default model's face area. */
  fittingRegion: Uint32Array;
  /** How well it went, mm: the two faces after registration, and MediaPipe's points to FLAME's surface. */
  report: { faceMedianMm: number; faceP95Mm: number; mediapipeMedianMm: number; mediapipeP95Mm: number };
}

/** Registers `reference` (the default model) onto the FLAME model's template and carries its landmarks and face region over. */
export function flameLandmarks(flame: FaceModel, reference: FaceModel): FlameLandmarks {
  const target = flameTarget(flame);
  const mm = 1000 * flame.metersPerUnit;
  const registration = registerReference(reference, target, { targetMetersPerUnit: flame.metersPerUnit });
  const mediapipe = transferEmbedding(registration, reference.mediapipe478!, mediapipeRegions(target), target, flame.metersPerUnit);
  const skin = new TriangleGrid(target.positions, target.triangles, target.skinTriangles);
  const multipie = transferEmbedding(registration, reference.multipie68!, Array.from({ length: 68 }, () => skin), target, flame.metersPerUnit);
  const skinVertices = new Set<number>();
  for (let i = 0; i < target.skinTriangles.length; i++) for (let k = 0; k < 3; k++) skinVertices.add(flame.triangles[3 * target.skinTriangles[i]! + k]!);
  const fittingRegion = verticesNearRegion(registration, reference, reference.fittingRegion, target, Uint32Array.from(skinVertices).sort(), FACE_REGION_MM / mm);
  const face = Array.from(registration.faceDistancesMm), points = Array.from(mediapipe.distancesMm.subarray(0, 468));
  return {
    mediapipe478: mediapipe.embedding,
    multipie68: multipie.embedding,
    fittingRegion,
    report: { faceMedianMm: quantile(face, 0.5), faceP95Mm: quantile(face, 0.95), mediapipeMedianMm: quantile(points, 0.5), mediapipeP95Mm: quantile(points, 0.95) },
  };
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
