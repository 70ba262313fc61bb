import { projectCameraPoints, transformToCamera } from '../../core/camera.js';
import { TrackerError } from '../../core/errors.js';
import { FaceCropTracker, type FaceCrop } from '../../core/image/FaceCropTracker.js';
import { landmarkBounds } from '../../core/image/landmarkBounds.js';
import type { FaceFrame, LengthUnits } from '../../core/FaceFrame.js';
import { FaceFitter } from '../../core/fit/FaceFitter.js';
import { FaceSmoother } from '../../core/smoothing/FaceSmoother.js';
import type { FaceFit } from '../../core/fit/types.js';
import { axisAngleToMatrix, matrixToYawPitchRoll } from '../../core/math/rotation.js';
import type { FaceModel } from '../../core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import type { PointBasis } from '../../core/model/PointBasis.js';
import type { DetectedFace, FrameMeta, PipelineOptions } from '../protocol.js';
import type { LandmarkDetector } from './LandmarkDetector.js';
import type { PriorStage } from './prior/PriorStage.js';

/** One frame through the stages: landmarks → fit → smoothing → the frame event's payload. */
export class TrackingPipeline {
  private readonly evaluator: FaceModelEvaluator;
  private readonly fitter: FaceFitter;
  private readonly smoother?: FaceSmoother;
  private readonly landmarks478: PointBasis;
  private readonly landmarks68?: PointBasis;
  private readonly cropTracker = new FaceCropTracker();
  private readonly units: LengthUnits;
  private faceVisible = false;
  private frameWidth = 0;
  private frameHeight = 0;

  constructor(
    readonly model: FaceModel,
    /** MediaPipe in this worker; absent when the page detects landmarks itself (the main-thread fallback). */
    private readonly detector: LandmarkDetector | undefined,
    private readonly options: PipelineOptions = {},
    /** The ViT prior (dense UV + normal cues), when the tracker runs one. */
    private readonly prior?: PriorStage,
  ) {
    if (!model.mediapipe478) {
      throw new TrackerError(
        'model-format',
        `The face model "${model.name}" has no MediaPipe landmark embedding, so it cannot be tracked. Track with the default model; this model can still be posed and rendered (FaceAvatar).`,
      );
    }
    this.units = { length: model.units, metersPerUnit: model.metersPerUnit };
    this.evaluator = new FaceModelEvaluator(model);
    this.fitter = new FaceFitter(model, options.fitter);
    if (options.restoredNeutral) this.fitter.restoreNeutral(options.restoredNeutral);
    if (options.smoothing !== false) this.smoother = new FaceSmoother(options.smoothing);
    this.landmarks478 = this.evaluator.embedded(model.mediapipe478);
    if (model.multipie68) this.landmarks68 = this.evaluator.embedded(model.multipie68);
  }

  /**
   * Tracks one frame; null when no face is visible. Does not close `frame`. `landmarks`: the
   * page's own MediaPipe result for this frame (main-thread fallback), in place of detecting here.
   */
  process(frame: VideoFrame | ImageBitmap, meta: FrameMeta, landmarks?: { face: DetectedFace | null }): FaceFrame | null {
    const start = performance.now();
    const width = 'displayWidth' in frame ? frame.displayWidth : frame.width;
    const height = 'displayHeight' in frame ? frame.displayHeight : frame.height;
    if (!landmarks && !this.detector) throw new TrackerError('invalid-state', 'No landmarks for this frame: the page detects them in this mode.');
    // A new frame size (another resolution, a switched or rotated camera) moves every pixel: no
    // face choice, crop, pose or smoothing is carried across it.
    const resized = width !== this.frameWidth || height !== this.frameHeight;
    this.frameWidth = width;
    this.frameHeight = height;
    if (resized) this.detector?.reset();
    const detected = landmarks ? landmarks.face : this.detector!.detect(frame, meta.timeMs, width, height);
    const landmarksDone = performance.now();
    if (!detected || detected.switched || resized) {
      if (this.faceVisible) this.breakContinuity();
      this.faceVisible = false;
      if (!detected) return null;
    }
    this.faceVisible = true;
    const crop = this.cropTracker.update(detected.landmarks, meta.timeMs);
    // The prior runs on its own (this frame if it is idle); the fit takes its newest maps, if recent.
    this.prior?.observe(frame, meta.timeMs, detected.landmarks, crop, width, height);
    const dense = this.prior?.denseFor(meta.timeMs, detected.landmarks);
    const observation = { timeMs: meta.timeMs, width, height, landmarks: detected.landmarks, blendshapes: detected.blendshapes, ...(dense ? { dense } : {}) };
    let raw = this.fitter.fit(observation);
    if (!isFiniteFit(raw) || isFarFromLandmarks(raw, detected.landmarks)) {
      // A diverged solve must not poison the warm start, and one left far from the points (a cut
      // in the video, a face that jumped) must not drag on over frames: re-initialise from this
      // frame's landmarks.
      this.fitter.faceLost();
      this.smoother?.reset();
      raw = this.fitter.fit(observation);
      if (!isFiniteFit(raw)) {
        this.fitter.reset();
        this.faceVisible = false;
        return null;
      }
    }
    const fit = this.smoother ? this.smoother.filter(raw) : raw;
    const fitDone = performance.now();
    const out = this.compose(fit, meta, width, height, detected.landmarks, detected.blendshapes, crop);
    out.timings = { landmarksMs: landmarksDone - start, fitMs: fitDone - landmarksDone, workerMs: performance.now() - start, latencyMs: 0 };
    if (dense) out.timings.priorAgeMs = meta.timeMs - dense.timeMs;
    return out;
  }

  /** The fitter's resting face, its recording and restoring (`FaceFitter.neutralWeights`). */
  get neutral(): Pick<FaceFitter, 'neutralWeights' | 'calibrateNeutral' | 'restoreNeutral'> {
    return this.fitter;
  }

  /** Forget identity and motion: the next frame starts a new person. */
  reset(): void {
    this.fitter.reset();
    this.breakContinuity();
    this.detector?.reset();
    this.faceVisible = false;
  }

  /** The face is gone, or another one, or the frame changed: the next fit starts afresh (identity kept). */
  private breakContinuity(): void {
    this.fitter.faceLost();
    this.smoother?.reset();
    this.cropTracker.reset();
    this.prior?.faceLost();
  }

  private compose(
    fit: FaceFit,
    meta: FrameMeta,
    width: number,
    height: number,
    mediapipeLandmarks: Float32Array,
    blendshapes: Float32Array,
    crop: FaceCrop,
  ): FaceFrame {
    const coefficients = { identity: fit.identity, expression: fit.expression, jointRotations: fit.jointRotations };
    const project = (basis: PointBasis) =>
      projectCameraPoints(transformToCamera(this.evaluator.evaluate(basis, coefficients), fit.rotation, fit.translation), fit.camera);
    const { yaw, pitch, roll } = matrixToYawPitchRoll(axisAngleToMatrix(fit.rotation[0]!, fit.rotation[1]!, fit.rotation[2]!));
    const frame: FaceFrame = {
      timeMs: meta.timeMs,
      videoTime: meta.videoTime,
      units: this.units,
      width,
      height,
      pose: {
        rotation: [fit.rotation[0]!, fit.rotation[1]!, fit.rotation[2]!],
        translation: [fit.translation[0]!, fit.translation[1]!, fit.translation[2]!],
        yaw,
        pitch,
        roll,
      },
      identity: fit.identity,
      expression: fit.expression,
      camera: fit.camera,
      landmarks2d: project(this.landmarks478),
      mediapipeLandmarks,
      mediapipeBlendshapes: blendshapes,
      crop,
      timings: { landmarksMs: 0, fitMs: 0, workerMs: 0, latencyMs: 0 },
      fit: {
        iterations: fit.stats.iterations,
        landmarkRmsPx: fit.stats.landmarkRmsPx,
        denseCount: fit.stats.denseCount,
        normalCount: fit.stats.normalCount,
        identityFrozen: fit.stats.identityFrozen,
        reinitialised: fit.stats.reinitialised,
      },
    };
    if (fit.jointRotations) frame.jointRotations = fit.jointRotations;
    if (fit.arkit) frame.arkit = fit.arkit;
    if (this.landmarks68) frame.landmarks68 = project(this.landmarks68);
    if (this.options.outputVertices) {
      frame.vertices = transformToCamera(this.evaluator.evaluateMesh(coefficients), fit.rotation, fit.translation);
    }
    return frame;
  }
}

/** A warm-started fit whose landmark RMS is over this fraction of the face's size (px/px) did not reach the face (a tracked one: about 0.01). */
const FAR_FIT_FRACTION = 0.06;

function isFarFromLandmarks(fit: FaceFit, landmarks: Float32Array): boolean {
  if (fit.stats.reinitialised) return false;
  const { minX, minY, maxX, maxY } = landmarkBounds(landmarks);
  return fit.stats.landmarkRmsPx > FAR_FIT_FRACTION * Math.max(maxX - minX, maxY - minY);
}

function isFiniteFit(fit: FaceFit): boolean {
  const all = (a: ArrayLike<number>) => Array.prototype.every.call(a, Number.isFinite);
  return Number.isFinite(fit.stats.energy) && all(fit.rotation) && all(fit.translation) && all(fit.expression);
}
