import { projectCameraPoints, transformToCamera } from '../../../src/core/camera.js';
import type { FaceModel } from '../../../src/core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../../src/core/model/FaceModelEvaluator.js';
import type { PointBasis } from '../../../src/core/model/PointBasis.js';
import { vertexBasis } from '../../../src/core/model/PointBasis.js';
import type { PinholeCamera } from '../../../src/core/camera.js';
import type { FaceFit } from '../../../src/core/fit/types.js';
import { applySimilarity, fitSimilarity } from '../../../src/authoring/geometry/similarityTransform.js';
import { gaussian, rng } from './smallFaceModel.js';

/** The true state of one synthetic frame. */
export interface TruthFrame {
  identity: Float64Array;
  expression: Float64Array;
  /** [jointCount][3] (skinned models), root zero. */
  jointRotations?: Float64Array;
  /** Axis-angle, radians. */
  rotation: Float64Array;
  translation: Float64Array;
}

export interface SequenceOptions {
  frames: number;
  seed: number;
  camera: PinholeCamera;
  /** Face width in model units, to place the head so it spans `facePx` pixels. */
  faceWidth: number;
  facePx?: number;
  /** Identity coefficient spread, in prior std. Default 1. */
  identityStd?: number;
  /** Expressions active at once (each a smooth bump in time). Default 3. */
  activeExpressions?: number;
  /** Largest yaw / pitch / roll, degrees. Defaults 30 / 20 / 20. */
  maxYawDeg?: number;
  maxPitchDeg?: number;
  maxRollDeg?: number;
  /** Largest jaw rotation about X, radians (skinned models). Default 0.25. */
  maxJaw?: number;
}

/**
 * A smooth sequence: one random identity; head yaw, pitch and roll swinging within the limits;
 * a few expressions at a time rising and falling (smooth bumps with random peaks in (0.3, 1]).
 */
export function syntheticSequence(model: FaceModel, options: SequenceOptions): TruthFrame[] {
  const random = rng(options.seed);
  const K = model.identity.names.length, E = model.expression.names.length;
  const identity = Float64Array.from({ length: K }, (_, k) => gaussian(random) * (options.identityStd ?? 1) * model.identity.std[k]!);
  const depth = (options.camera.focalPx * options.faceWidth) / (options.facePx ?? 256);
  // The head drifts a few centimetres sideways, whatever the model's unit.
  const cm = 0.01 / model.metersPerUnit;
  const yaw = ((options.maxYawDeg ?? 30) * Math.PI) / 180, pitch = ((options.maxPitchDeg ?? 20) * Math.PI) / 180, roll = ((options.maxRollDeg ?? 20) * Math.PI) / 180;
  const phases = Array.from({ length: 6 }, () => random() * Math.PI * 2);
  const n = options.frames;
  // Expression events: each a (shape, centre, width, peak) bump.
  const active = options.activeExpressions ?? 3;
  const events: { e: number; centre: number; width: number; peak: number }[] = [];
  const eventCount = Math.max(active, Math.round((active * n) / 20));
  for (let i = 0; i < eventCount; i++) {
    events.push({ e: Math.floor(random() * E), centre: random() * n, width: 8 + random() * 12, peak: 0.3 + 0.7 * random() });
  }
  const jointCount = model.skeleton?.jointNames.length ?? 0;
  const jaw = model.skeleton?.jointNames.indexOf('jaw') ?? -1;
  const frames: TruthFrame[] = [];
  for (let t = 0; t < n; t++) {
    const s = t / Math.max(1, n - 1);
    const y = yaw * Math.sin(2 * Math.PI * 0.8 * s + phases[0]!);
    const p = pitch * Math.sin(2 * Math.PI * 0.6 * s + phases[1]!);
    const r = roll * Math.sin(2 * Math.PI * 0.5 * s + phases[2]!);
    const expression = new Float64Array(E);
    for (const ev of events) {
      const d = (t - ev.centre) / ev.width;
      if (Math.abs(d) < 1) expression[ev.e] = Math.min(1, expression[ev.e]! + ev.peak * 0.5 * (1 + Math.cos(Math.PI * d)));
    }
    const frame: TruthFrame = {
      identity,
      expression,
      rotation: yawPitchRollToAxisAngle(y, p, r),
      translation: Float64Array.of(2 * cm * Math.sin(2 * Math.PI * s + phases[3]!), 1.5 * cm * Math.sin(2 * Math.PI * 0.7 * s + phases[4]!), -depth * (1 + 0.05 * Math.sin(2 * Math.PI * 0.4 * s + phases[5]!))),
    };
    if (jointCount > 0) {
      const joints = new Float64Array(jointCount * 3);
      if (jaw > 0) joints[3 * jaw] = (options.maxJaw ?? 0.25) * 0.5 * (1 - Math.cos(2 * Math.PI * 1.5 * s));
      frame.jointRotations = joints;
    }
    frames.push(frame);
  }
  return frames;
}

/** R = Ry(yaw)·Rx(pitch)·Rz(roll) as axis-angle. */
export function yawPitchRollToAxisAngle(yaw: number, pitch: number, roll: number): Float64Array {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch), cr = Math.cos(roll), sr = Math.sin(roll);
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy], rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp], rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  const mul = (a: number[], b: number[]) => Array.from({ length: 9 }, (_, i) => a[3 * Math.floor(i / 3)]! * b[i % 3]! + a[3 * Math.floor(i / 3) + 1]! * b[3 + (i % 3)]! + a[3 * Math.floor(i / 3) + 2]! * b[6 + (i % 3)]!);
  const m = mul(mul(ry, rx), rz);
  const angle = Math.acos(Math.min(1, Math.max(-1, (m[0]! + m[4]! + m[8]! - 1) / 2)));
  if (angle < 1e-9) return new Float64Array(3);
  const k = angle / (2 * Math.sin(angle));
  return Float64Array.of((m[7]! - m[5]!) * k, (m[2]! - m[6]!) * k, (m[3]! - m[1]!) * k);
}

/** Points of `basis` under the truth, in camera space. */
export function cameraPoints(evaluator: FaceModelEvaluator, basis: PointBasis, truth: TruthFrame): Float32Array {
  const coefficients = { identity: truth.identity, expression: truth.expression, ...(truth.jointRotations ? { jointRotations: truth.jointRotations } : {}) };
  return transformToCamera(evaluator.evaluate(basis, coefficients), truth.rotation, truth.translation);
}

/** MediaPipe-style landmarks of the truth, px, with optional Gaussian noise (σ px) and outliers. */
export function observeLandmarks(
  evaluator: FaceModelEvaluator,
  landmarkBasis: PointBasis,
  truth: TruthFrame,
  camera: PinholeCamera,
  noise: { sigmaPx?: number; outlierFraction?: number; outlierPx?: number; seed?: number } = {},
): Float32Array {
  const px = projectCameraPoints(cameraPoints(evaluator, landmarkBasis, truth), camera);
  const random = rng(noise.seed ?? 1);
  for (let i = 0; i < px.length; i++) if (noise.sigmaPx) px[i] += noise.sigmaPx * gaussian(random);
  if (noise.outlierFraction) {
    for (let p = 0; p < px.length / 2; p++) {
      if (random() >= noise.outlierFraction) continue;
      const angle = random() * 2 * Math.PI, dist = (noise.outlierPx ?? 30) * (0.5 + random());
      px[2 * p] += dist * Math.cos(angle);
      px[2 * p + 1] += dist * Math.sin(angle);
    }
  }
  return px;
}

/**
 * Per-vertex distance (mm) over the fitting region between the fitted and the true face in
 * model space (identity, expression and joint rotations applied; head pose not): the shape the
 * avatar shows.
 *
 * `aligned` first maps the fitted shape onto the truth by the best similarity: a single
 * calibrated camera cannot see absolute size (the scene scaled about the camera centre projects
 * identically), so the face's scale is the identity prior's guess, not a measurement. The raw
 * distances include that guess.
 */
export class RegionError {
  private readonly evaluator: FaceModelEvaluator;
  private readonly basis: PointBasis;
  private readonly mmPerUnit: number;

  constructor(model: FaceModel, evaluator = new FaceModelEvaluator(model)) {
    this.evaluator = evaluator;
    this.basis = vertexBasis(model, model.fittingRegion);
    this.mmPerUnit = model.metersPerUnit * 1000;
  }

  distancesMm(fit: Pick<FaceFit, 'identity' | 'expression' | 'jointRotations'>, truth: TruthFrame, aligned: boolean): Float64Array {
    const coefficients = (c: { identity: ArrayLike<number>; expression: ArrayLike<number>; jointRotations?: ArrayLike<number> | undefined }) => ({
      identity: c.identity, expression: c.expression, ...(c.jointRotations ? { jointRotations: c.jointRotations } : {}),
    });
    const real = this.evaluator.evaluate(this.basis, coefficients(truth));
    let fitted: ArrayLike<number> = this.evaluator.evaluate(this.basis, coefficients(fit));
    if (aligned) fitted = applySimilarity(fitSimilarity(fitted, real), fitted);
    const out = new Float64Array(this.basis.count);
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.hypot(fitted[3 * i]! - real[3 * i]!, fitted[3 * i + 1]! - real[3 * i + 1]!, fitted[3 * i + 2]! - real[3 * i + 2]!) * this.mmPerUnit;
    }
    return out;
  }

  /** Median distance, mm, after similarity alignment (see the class note) unless `aligned` is false. */
  medianMm(fit: Pick<FaceFit, 'identity' | 'expression' | 'jointRotations'>, truth: TruthFrame, aligned = true): number {
    return median(this.distancesMm(fit, truth, aligned));
  }
}

export function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}
