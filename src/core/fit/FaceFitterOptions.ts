/**
 * The fitter's options: plain data (they cross to the tracking worker), with their defaults.
 */
import type { ArkitMap } from '../arkit.js';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './IdentityEstimator.js';
import type { RobustLoss } from './terms/robustLoss.js';

/** Weights of the energy terms. Pixel residuals are measured on a face scaled to 256 px. */
export interface FitWeights {
  /** Per landmark, per px². */
  landmarks: number;
  /** Multiplies `landmarks` on the face-oval points. */
  contour: number;
  /** Scale of a face-oval point's offset along the contour (1: an ordinary point; 0: slides freely). */
  contourTangent: number;
  /** Per dense UV correspondence, per px². */
  dense: number;
  /** Per dense normal, per unit of |n − n_observed|² (≈ rad²). */
  normals: number;
  /** Tikhonov prior on expression: weight / std². */
  expressionPrior: number;
  /**
   * Tikhonov prior on identity (in the accumulated system): weight / std². The system sums up to
   * `maxFrames` frames whose landmark errors are not independent (MediaPipe's bias repeats every
   * frame), so the prior must hold against all of them: at 2 the sample video's identity reached
   * 8.8 std in one mode (|β| 25, a caricature head); at 60 it stays plausible (|β| 10.5, max 3.4
   * std) for 0.5 px more landmark RMS.
   */
  identityPrior: number;
  /** Tikhonov prior on joint rotations, per rad², by joint name; `default` for others. */
  jointPrior: Readonly<Record<string, number>>;
  /** Temporal pull to the previous frame: rotation per rad², translation per mm², expression per unit², joints per rad². */
  temporalRotation: number;
  temporalTranslation: number;
  temporalExpression: number;
  temporalJoints: number;
  /**
   * MediaPipe blendshape prior per unit²: eye shapes (blinks, gaze, squint, wide) and the rest.
   * Chosen on the sample video (webcam-head-motion.mp4): MediaPipe's lid points alone let the fit
   * explain a wink with squint and brow shapes (fitted eyeBlink stayed under 0.1 while the eye was
   * shut), so the eye scores weigh heavily; the rest anchors the ARKit semantics more softly
   * (mean |fit − MediaPipe| over the shared shapes 0.12 → 0.05 for 0.1 px more landmark RMS).
   * The rest at 100 still let the landmarks explain a person's resting face with mouth and jaw
   * shapes MediaPipe scores 0 (jawForward, mouthShrugUpper, mouthPress 0.2–0.3): at 1000, with
   * the margins below, the resting sums fall below MediaPipe's on every clip of
   * `npm run bench -- blendshapes` (landmark RMS +2.7 %).
   */
  blendshapeEyes: number;
  /**
   * The gaze shapes' (eyeLook*) weight, apart from the other eye shapes': the default model's
   * eyeLook shapes move only the lids, so the lid points cannot measure gaze and at 1000 pulled
   * the weights down (eyeLookDownLeft at a third of MediaPipe's target on one frame in ten of the
   * sample video) while MediaPipe's score follows the iris (`npm run bench -- shapeJudge`). At
   * 10000, chosen on the sample video, ex1 and ex2, ex1's moving gaze shapes correlate with
   * MediaPipe's score at 0.80–0.90 (were 0.68–0.77; 0.90–0.94 with the smoother's own ARKit
   * filter, `FaceSmoother`), held-back ex4's eyeLookDownRight 0.75 → 0.95; landmark RMS +0.9 %.
   */
  blendshapeGaze: number;
  blendshapeOther: number;
  /**
   * The prior's anchor is MediaPipe's score s beyond a margin, rescaled so 1 stays 1:
   * (s − margin) / (1 − margin), below zero when s < margin. On the coefficient's lower bound 0
   * that is an L1 (sparsity) prior on top of the pull to s: a shape MediaPipe barely scores rests
   * at exactly 0 unless the landmarks ask for it, instead of at MediaPipe's resting noise (its
   * scores on a resting face sum to 1.8–4.8 on the benchmark's clips, mostly squint and gaze).
   * Scores, 0..1, for the eye shapes and the rest. The rest's is small: a larger one held the
   * sample video's small lip partings shut (fitted inner-lip gap parted/closed 1.91 before,
   * 1.48 at 0.1, 1.58 at 0.05).
   */
  blendshapeMarginEyes: number;
  blendshapeMarginOther: number;
}

export const DEFAULT_FIT_WEIGHTS: FitWeights = {
  landmarks: 1,
  contour: 0.5,
  contourTangent: 0.5,
  dense: 0.5,
  normals: 50,
  expressionPrior: 0.5,
  identityPrior: 60,
  jointPrior: { neck: 1e4, default: 5 },
  temporalRotation: 200,
  temporalTranslation: 0.05,
  temporalExpression: 1,
  temporalJoints: 50,
  blendshapeEyes: 1000,
  blendshapeGaze: 10000,
  blendshapeOther: 1000,
  blendshapeMarginEyes: 0.15,
  blendshapeMarginOther: 0.05,
};

/** FLAME-like joints: the jaw opens about 0.5 rad, eyes turn about 0.5 rad, the neck more. */
export const DEFAULT_JOINT_LIMITS: Readonly<Record<string, number>> = { neck: 1.2, jaw: 0.7, eye_L: 0.7, eye_R: 0.7, default: 1.2 };

export interface FaceFitterOptions {
  /** Focal length, px. When absent it is estimated across frames, starting from 0.8 · max(width, height). */
  focalPx?: number;
  weights?: Partial<FitWeights>;
  /**
   * Robust loss of landmarks and dense points while tracking (a re-initialisation frame always
   * uses Huber, which is convex): 'cauchy' all but ignores outliers, 'huber' counts them
   * linearly. Default 'cauchy'.
   */
  robustLoss?: RobustLoss;
  /** Scale of the landmarks' robust loss, px of a 256 px face. Default 3. */
  robustPx?: number;
  /**
   * Scale of the dense correspondences' robust loss, px of a 256 px face. Tighter than the
   * landmarks': a UV lookup that misses by a few pixels (occlusion edges, a coarse lookup grid)
   * should not pull. Default 1.
   */
  denseRobustPx?: number;
  /** Identity estimation and freezing. */
  identity?: Partial<IdentityPolicy>;
  /** Use MediaPipe's blendshape scores as a soft prior on the fit (and, for models with an `arkitProjection`, on reading ARKit weights off it). Default true. */
  blendshapePrior?: boolean;
  /** Expression → ARKit-52 map for models whose expressions are not ARKit-named; replaces the model's own (`FaceModel.arkitMap`, `arkitProjection`). */
  arkitMap?: ArkitMap;
  /**
   * Report only the net motion of antagonist ARKit pairs (smile/frown, pucker/stretch, wide/squint,
   * look up/down, …: `ARKIT_ANTAGONISTS`, `separateAntagonists`): at most one of each pair is
   * non-zero in `arkit`. The expression coefficients (and the mesh) are not changed. Default true.
   */
  separateAntagonists?: boolean;
  /**
   * Off by default. Takes the user's own resting face out of the ARKit weights
   * (`NeutralCalibration`): each weight reads (w − n) / (1 − n) with n the user's weight at
   * rest, so their neutral face reads 0 however MediaPipe and the fit see it. `weights`: a
   * resting face recorded before (52 ARKit weights, e.g. `FaceFitter.neutralWeights` of an
   * earlier session); else the median over the first `frames` frames (default 30) after the
   * fitter starts or `reset()`s, or after `calibrateNeutral()`: ask the user to relax and look
   * at the camera then. The expression coefficients (and the mesh) are not changed.
   */
  neutral?: { frames?: number; weights?: readonly number[] };
  /** Levenberg-Marquardt evaluations per frame (warm start). Default 5. */
  maxIterations?: number;
  /** Warm-start the head pose at constant velocity from the last two frames. Default true. */
  predictMotion?: boolean;
  /** Evaluations on a (re)initialisation frame. Default 15. */
  initIterations?: number;
  /** Largest rotation of a joint about each axis, radians, by joint name; `default` for others. */
  jointLimits?: Readonly<Record<string, number>>;
  /** Early stop: relative energy decrease per step. Default 1e-3. */
  relativeTolerance?: number;
  /** Early stop: absolute energy decrease per step (px² of a 256 px face, summed). Default 0.05. */
  absoluteTolerance?: number;
  /** Dense correspondences used per frame at most (uniformly thinned). Default 2000. */
  maxDense?: number;
  /** Dense points farther than this from the current fit's projection are dropped, px of a 256 px face. Default 12. */
  denseGatePx?: number;
  /** A dense vertex must face the camera: cos(angle between its normal and the view ray) above this. Default 0.15. */
  denseMinFacing?: number;
  /** Build the fitting-region bases for dense cues (memory and start-up time). Default true. */
  dense?: boolean;
  /**
   * Per landmark (the model's MediaPipe points, in MediaPipe's order), a factor on its weight in
   * the landmark term: lower for points MediaPipe places less reliably. Finite, ≥ 0, one per
   * point. Default: every point 1.
   */
  landmarkWeights?: readonly number[];
  /** Expression deltas smaller than this (mm, at the coefficient's largest value) are dropped from the sparse basis. Default 0.01. */
  sparsityMm?: number;
}

/** The options with every default filled in: what `FaceFitter` runs with. */
export interface ResolvedFitterOptions extends Required<Omit<FaceFitterOptions, 'focalPx' | 'weights' | 'identity' | 'arkitMap' | 'jointLimits' | 'neutral' | 'landmarkWeights'>> {
  landmarkWeights?: readonly number[];
  weights: FitWeights;
  identity: IdentityPolicy;
  jointLimits: Readonly<Record<string, number>>;
}

export function resolveFitterOptions(options: FaceFitterOptions): ResolvedFitterOptions {
  return {
    weights: { ...DEFAULT_FIT_WEIGHTS, ...options.weights },
    identity: { ...DEFAULT_IDENTITY_POLICY, ...options.identity },
    jointLimits: { ...DEFAULT_JOINT_LIMITS, ...options.jointLimits },
    robustLoss: options.robustLoss ?? 'cauchy',
    robustPx: options.robustPx ?? 3,
    denseRobustPx: options.denseRobustPx ?? 1,
    blendshapePrior: options.blendshapePrior ?? true,
    separateAntagonists: options.separateAntagonists ?? true,
    maxIterations: options.maxIterations ?? 5,
    predictMotion: options.predictMotion ?? true,
    initIterations: options.initIterations ?? 15,
    relativeTolerance: options.relativeTolerance ?? 1e-3,
    absoluteTolerance: options.absoluteTolerance ?? 0.05,
    maxDense: options.maxDense ?? 2000,
    denseGatePx: options.denseGatePx ?? 12,
    denseMinFacing: options.denseMinFacing ?? 0.15,
    dense: options.dense ?? true,
    sparsityMm: options.sparsityMm ?? 0.01,
    ...(options.landmarkWeights && { landmarkWeights: options.landmarkWeights }),
  };
}
