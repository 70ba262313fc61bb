/**
 * What the fitter takes and gives, per frame. The contract between the tracking worker, the
 * fitter (`FaceFitter`) and the smoother.
 *
 * Conventions
 * - Image space: pixels, x right, y down, origin at the top-left corner of the full frame.
 * - Camera space: three.js / OpenGL camera: x right, y up, the camera looks down −Z; so a face
 *   in front of the camera has z < 0. Model units (cm for ICT, m for FLAME).
 * - Projection: u = cx + f·x/(−z), v = cy − f·y/(−z).
 * - Head pose: p_camera = R(rotation) · p_model + translation. The model faces +Z, so a rotation
 *   of zero looks straight into the camera.
 */
import type { PinholeCamera } from '../camera.js';

/**
 * The frame of a prior's normals: `camera` (camera space, as the fitter's camera) or `model`
 * (the face model's frame, p_model in p_camera = R·p_model + t: after the model's own
 * deformation, before the head rotation — what Pixel3DMM's networks predict).
 */
export type NormalsSpace = 'camera' | 'model';

/** Dense correspondences from a ViT prior: model surface points seen at pixels, with normals. */
export interface DenseCorrespondences {
  /** Mesh vertex index of each correspondence. */
  vertices: Uint32Array;
  /** [count][2] image positions, px (full frame). */
  pixels: Float32Array;
  /** [count][3] unit normals in `normalsSpace`, or absent. */
  normals?: Float32Array;
  /** The frame of `normals`; absent: camera. */
  normalsSpace?: NormalsSpace;
  /** [count] weights in [0, 1]. */
  weights?: Float32Array;
  /** Timestamp (ms) of the frame the maps were computed on. */
  timeMs: number;
}

/** What one frame offers the fitter. */
export interface FrameObservation {
  /** Frame time, ms, monotonic. */
  timeMs: number;
  /** Frame size, px. */
  width: number;
  height: number;
  /** MediaPipe's 478 points, [478][2], px (full frame). */
  landmarks: Float32Array;
  /** Optional per-point confidence/weight, [478]. */
  landmarkWeights?: Float32Array;
  /** MediaPipe's 52 blendshape scores in `MEDIAPIPE_BLENDSHAPES` order. */
  blendshapes?: Float32Array;
  dense?: DenseCorrespondences;
}

/** The fitted face of one frame. */
export interface FaceFit {
  timeMs: number;
  /** Head rotation, axis-angle, radians (model → camera). */
  rotation: Float64Array;
  /** Head translation, model units, camera space. */
  translation: Float64Array;
  identity: Float32Array;
  expression: Float32Array;
  /** Joint rotations, axis-angle radians, [jointCount][3] (skinned models only). */
  jointRotations?: Float32Array;
  /** The camera the fit used (focal length possibly estimated). */
  camera: PinholeCamera;
  /** ARKit-52 weights in `ARKIT_BLENDSHAPES` order, in [0, 1]; absent when the model has no map. */
  arkit?: Float32Array;
  /** Fit diagnostics. */
  stats: FitStats;
}

export interface FitStats {
  iterations: number;
  /** Final energy (sum of weighted squared residuals). */
  energy: number;
  /** Landmark RMS reprojection error, px. */
  landmarkRmsPx: number;
  /** Dense correspondences used this frame (0 when none). */
  denseCount: number;
  /** Of them, the normals compared (one per `normalStride` correspondences; 0 when none). */
  normalCount: number;
  /** Whether identity is frozen (converged across frames). */
  identityFrozen: boolean;
  /**
   * Whether this frame's pose was solved afresh from the landmarks (the first frame, the first after
   * a lost face, or a retry after a diverged solve) rather than warm-started from the last frame.
   * Identity and focal length are kept across a re-initialisation; `reset()` alone forgets them.
   */
  reinitialised: boolean;
  /** Solve time, ms. */
  ms: number;
}
