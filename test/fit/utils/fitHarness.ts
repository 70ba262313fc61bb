import { FaceFitter } from '../../../src/core/fit/FaceFitter.js';
import type { FaceFitterOptions } from '../../../src/core/fit/FaceFitterOptions.js';
import type { PinholeCamera } from '../../../src/core/camera.js';
import type { DenseCorrespondences, FaceFit, FrameObservation, NormalsSpace } from '../../../src/core/fit/types.js';
import type { FaceModel } from '../../../src/core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../../src/core/model/FaceModelEvaluator.js';
import type { PointBasis } from '../../../src/core/model/PointBasis.js';
import { selectCandidateVertices, type CandidateVertices } from '../../../src/workers/tracking/prior/candidateVertices.js';
import { denseFromRenderedMaps, rasterizeMaps } from './rasterizeMaps.js';
import { median, observeLandmarks, RegionError, syntheticSequence, type TruthFrame } from './syntheticScene.js';

/** 640x480 frame, f = 800 px: a webcam-like camera; the face spans 256 px at the scene's distance. */
export const TEST_CAMERA: PinholeCamera = { focalPx: 800, cx: 320, cy: 240, width: 640, height: 480 };

export interface Noise {
  sigmaPx?: number;
  outlierFraction?: number;
  outlierPx?: number;
}

/** A model with what the synthetic scenes need, built once per model. */
export class SceneKit {
  readonly model: FaceModel;
  readonly evaluator: FaceModelEvaluator;
  readonly landmarks: PointBasis;
  readonly error: RegionError;
  /** Width of the MediaPipe landmarks on the template, model units (the face spans 256 px). */
  readonly faceWidth: number;
  private candidates?: CandidateVertices;

  constructor(model: FaceModel) {
    this.model = model;
    this.evaluator = new FaceModelEvaluator(model);
    this.landmarks = this.evaluator.embedded(model.mediapipe478!);
    this.error = new RegionError(model, this.evaluator);
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < this.landmarks.count; i++) {
      min = Math.min(min, this.landmarks.base[3 * i]!);
      max = Math.max(max, this.landmarks.base[3 * i]!);
    }
    this.faceWidth = max - min;
  }

  sequence(frames: number, seed: number, extra: { identityStd?: number; maxJaw?: number } = {}): TruthFrame[] {
    return syntheticSequence(this.model, { frames, seed, camera: TEST_CAMERA, faceWidth: this.faceWidth, ...extra });
  }

  /**
   * The observation of a truth frame: landmarks (with noise), optionally dense correspondences
   * from maps rendered at `mapSize` for `candidates` (default: the runtime's 2,000), their normals
   * in `normalsSpace` (default camera).
   */
  observe(truth: TruthFrame, t: number, options: { noise?: Noise; mapSize?: number; candidates?: CandidateVertices; normalsSpace?: NormalsSpace } = {}): FrameObservation {
    const landmarks = observeLandmarks(this.evaluator, this.landmarks, truth, TEST_CAMERA, { ...options.noise, seed: 1000 + t });
    const observation: FrameObservation = { timeMs: t * (1000 / 30), width: TEST_CAMERA.width, height: TEST_CAMERA.height, landmarks };
    if (options.mapSize) {
      this.candidates ??= selectCandidateVertices(this.model, 2000);
      observation.dense = renderedDense(this.model, this.evaluator, truth, TEST_CAMERA, landmarks, options.mapSize, options.candidates ?? this.candidates, observation.timeMs, options.normalsSpace);
    }
    return observation;
  }

  /** Tracks a sequence with one fitter; per-frame fits and aligned median errors (mm). */
  track(truths: TruthFrame[], fitterOptions: FaceFitterOptions, observe: { noise?: Noise; mapSize?: number; normalsSpace?: NormalsSpace } = {}): TrackResult {
    const fitter = new FaceFitter(this.model, fitterOptions);
    const observations = truths.map((truth, t) => this.observe(truth, t, observe));
    return this.trackObservations(fitter, truths, observations);
  }

  trackObservations(fitter: FaceFitter, truths: TruthFrame[], observations: FrameObservation[]): TrackResult {
    const fits: FaceFit[] = [], errorsMm: number[] = [], rawErrorsMm: number[] = [];
    observations.forEach((observation, t) => {
      const fit = fitter.fit(observation);
      fits.push(fit);
      errorsMm.push(this.error.medianMm(fit, truths[t]!));
      rawErrorsMm.push(this.error.medianMm(fit, truths[t]!, false));
    });
    return { fitter, fits, errorsMm, rawErrorsMm, finalErrorMm: median(errorsMm.slice(-10)), finalRawErrorMm: median(rawErrorsMm.slice(-10)) };
  }
}

export interface TrackResult {
  fitter: FaceFitter;
  fits: FaceFit[];
  /** Per frame: median over the fitting region after similarity alignment, mm. */
  errorsMm: number[];
  rawErrorsMm: number[];
  /** After tracking: the median of the last 10 frames' errors. */
  finalErrorMm: number;
  finalRawErrorMm: number;
}

/**
 * What a perfect prior would give the fit on the frame of `truth`: its maps rendered at `mapSize`
 * on the runtime's crop (a square 1.4 times the landmarks' extent around their centre), read
 * through the runtime's lookup for `candidates`, normals in `normalsSpace` (default camera).
 */
export function renderedDense(
  model: FaceModel,
  evaluator: FaceModelEvaluator,
  truth: TruthFrame,
  camera: PinholeCamera,
  landmarks: Float32Array,
  mapSize: number,
  candidates: CandidateVertices,
  timeMs: number,
  normalsSpace?: NormalsSpace,
): DenseCorrespondences {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < landmarks.length / 2; i++) {
    minX = Math.min(minX, landmarks[2 * i]!); maxX = Math.max(maxX, landmarks[2 * i]!);
    minY = Math.min(minY, landmarks[2 * i + 1]!); maxY = Math.max(maxY, landmarks[2 * i + 1]!);
  }
  const side = 1.4 * Math.max(maxX - minX, maxY - minY);
  const crop = { x: (minX + maxX) / 2 - side / 2, y: (minY + maxY) / 2 - side / 2, size: side };
  const maps = rasterizeMaps(model, evaluator, truth, camera, crop, mapSize, normalsSpace);
  return denseFromRenderedMaps(maps, crop, candidates, timeMs);
}
