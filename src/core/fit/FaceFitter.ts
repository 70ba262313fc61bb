import { applyArkitMap, ARKIT_BLENDSHAPES, arkitMapFromNames, separateAntagonists, type ArkitMap } from '../arkit.js';
import { DEFAULT_NEUTRAL_FRAMES, NeutralCalibration } from '../arkitNeutral.js';
import { ArkitProjector } from '../arkitProjection.js';
import type { PinholeCamera } from '../camera.js';
import { contourDirections, MEDIAPIPE_FACE_OVAL } from '../image/mediapipeContour.js';
import { multiplyMat3 } from '../math/rotation.js';
import { TrackerError } from '../errors.js';
import type { FaceModel } from '../model/FaceModel.js';
import { FaceModelEvaluator } from '../model/FaceModelEvaluator.js';
import { embeddedBasis, vertexBasis } from '../model/PointBasis.js';
import { DenseSelector } from './DenseSelector.js';
import { resolveFitterOptions, type FaceFitterOptions, type ResolvedFitterOptions } from './FaceFitterOptions.js';
import { FrameEnergy } from './FrameEnergy.js';
import { FrameLayout, FrameState } from './FrameState.js';
import { initialPose } from './initialPose.js';
import { Kinematics } from './Kinematics.js';
import { LevenbergMarquardt, type SolveResult } from './LevenbergMarquardt.js';
import { RegionNormals } from './normalBasis.js';
import { PersonAndCamera, type IdentitySample } from './PersonAndCamera.js';
import { SparsePointBasis } from './SparsePointBasis.js';
import { AnchorTerm } from './terms/AnchorTerm.js';
import { ArkitMotionTerm } from './terms/ArkitMotionTerm.js';
import type { BlendshapeTerm } from './terms/EnergyTerm.js';
import { NamedBlendshapeTerm } from './terms/NamedBlendshapeTerm.js';
import { NormalTerm } from './terms/NormalTerm.js';
import { ReprojectionTerm } from './terms/ReprojectionTerm.js';
import { robustScaleFactor } from './terms/robustLoss.js';
import type { FaceFit, FrameObservation } from './types.js';

/** What `FaceFitter.onSolved` receives. The objects are the fitter's own: read, do not keep. */
export interface SolvedFrame {
  energy: FrameEnergy;
  /** The state the solve started from (after any re-initialisation). */
  start: FrameState;
  solution: FrameState;
  result: SolveResult;
  solveMs: number;
}

/** The fit's fixed tuning: chosen on the fit benchmark and the sample video, not options. */
const TUNING = {
  /**
   * Points an identity frame takes into the shared equations (each costs (identity count)²): 200
   * landmarks (100 cost landmark accuracy: 0.52 → 0.56 mm), 100 dense points and as many normals
   * (as accurate as 200: there are thousands, a different 100 each frame; 50 delayed the freeze).
   */
  identityLandmarks: 200,
  identityDensePoints: 100,
  /** While identity is estimated, the base normals follow it this many identity coefficients per frame (see `RegionNormals.update`). */
  normalIdentityCoefficients: 25,
  /**
   * Dense points (and normals) enter the Gauss-Newton matrix 1 in this many (the gradient takes
   * all): thousands of dense points, and a sixth of them steer the steps as well as all would
   * (synthetic dense recovery 0.19 mm at 6, 0.20 at 4, 0.21 at 8).
   */
  denseHessianThinning: 6,
  /**
   * One normal-alignment point for every this many dense correspondences: the normal map is smooth,
   * so half of them constrain the fit as well as all (synthetic dense recovery 0.198 vs 0.199 mm) at
   * half the normal term's cost, a third of a dense frame's.
   */
  normalStride: 2,
  /**
   * A point's expression deltas smaller than this (at the coefficient's largest value) stay out of
   * the Gauss-Newton matrix (the energy and gradient take them): 0.1 mm for positions, 0.01 for
   * unit normals (≈ 0.6°). A quarter to a third fewer columns per point, half the matrix's cost,
   * and steps as good as with every delta (0.3 mm cost landmark frames a tenth more evaluations).
   */
  hessianDeltaMm: 0.1,
  hessianNormalDelta: 0.01,
  /** Pixel residuals are normalized to a face this big (bounding box of the landmarks, px). */
  referenceFacePx: 256,
} as const;

/**
 * The real-time fitter: per frame a few Levenberg-Marquardt iterations on the morphable model,
 * warm-started from the last frame, on landmarks (+ dense UV and normals when given), priors,
 * temporal and blendshape terms. Identity (and focal length when not given) is estimated across
 * frames and frozen once stable. See `FaceFitterOptions`.
 */
export class FaceFitter {
  readonly model: FaceModel;
  /** For benchmarks and tests: sees each frame's energy, warm start and solution right after the solve. */
  onSolved?: (frame: SolvedFrame) => void;
  private readonly layout: FrameLayout;
  private readonly kinematics: Kinematics;
  private readonly evaluator: FaceModelEvaluator;
  private readonly energy: FrameEnergy;
  /** The energy's terms, in the order they are summed. */
  private readonly landmarks: ReprojectionTerm;
  private readonly dense?: ReprojectionTerm;
  private readonly normals?: NormalTerm;
  /** Tikhonov prior on expression and joints (anchor zero). */
  private readonly prior: AnchorTerm;
  /** Pull towards the previous frame's solution. */
  private readonly temporal: AnchorTerm;
  /** MediaPipe's blendshape scores as a prior (absent when the model has no ARKit shapes or the option is off). */
  private readonly blendshapes?: BlendshapeTerm;
  private readonly identitySamples: IdentitySample[];
  private readonly solver: LevenbergMarquardt;
  private readonly person: PersonAndCamera;
  private readonly options: ResolvedFitterOptions;
  private readonly arkitMap?: ArkitMap;
  private readonly arkitProjector?: ArkitProjector;
  private readonly neutral?: NeutralCalibration;
  private readonly landmarkBasis: SparsePointBasis;
  private readonly regionBasis?: SparsePointBasis;
  private readonly regionNormals?: RegionNormals;
  private readonly denseSelector?: DenseSelector;
  private readonly landmarkCount: number;
  private readonly contourMask: Uint8Array;
  /** Per landmark, the option `landmarkWeights` times the contour's weight on face-oval points. */
  private readonly pointWeights: Float32Array;
  private readonly rigidMask: Uint8Array;

  private readonly state: FrameState;
  private readonly previous: FrameState;
  private readonly beforePrevious: FrameState;
  /** Consecutive tracked frames so far (motion prediction needs two). */
  private trackedFrames = 0;
  private readonly start: FrameState;
  private needsInit = true;
  private readonly turn = new Float64Array(9);
  private readonly sortScratch: Float64Array;

  constructor(model: FaceModel, options: FaceFitterOptions = {}) {
    if (!model.mediapipe478) throw new Error('FaceFitter: the model has no MediaPipe 478 embedding');
    this.model = model;
    this.options = resolveFitterOptions(options);
    const weights = this.options.weights;
    const map = options.arkitMap ?? model.arkitMap ?? arkitMapFromNames(model.expression.names);
    if (map) this.arkitMap = map;
    if (!options.arkitMap && model.arkitProjection) this.arkitProjector = new ArkitProjector(model.arkitProjection, { eyes: weights.blendshapeMarginEyes, other: weights.blendshapeMarginOther });
    if (options.neutral) this.neutral = new NeutralCalibration(options.neutral.frames ?? DEFAULT_NEUTRAL_FRAMES, options.neutral.weights);

    this.evaluator = new FaceModelEvaluator(model);
    this.kinematics = new Kinematics(model.skeleton);
    this.layout = new FrameLayout(this.kinematics.fittedJoints, model.expression.names.length);
    this.energy = new FrameEnergy(this.layout, this.kinematics);
    const identityCount = model.identity.names.length;
    const dropBelow = (this.options.sparsityMm * 1e-3) / model.metersPerUnit;
    const hessianBelow = Math.max(dropBelow, (TUNING.hessianDeltaMm * 1e-3) / model.metersPerUnit);

    this.landmarkBasis = new SparsePointBasis(embeddedBasis(model, model.mediapipe478), model.expression, identityCount, dropBelow, hessianBelow);
    this.landmarkCount = this.landmarkBasis.count;
    this.sortScratch = new Float64Array(this.landmarkCount);
    const offset = this.layout.expressionOffset;
    const landmarks = this.energy.add(new ReprojectionTerm('landmarks', this.landmarkBasis, this.kinematics, offset, this.landmarkCount));
    landmarks.count = this.landmarkCount;
    for (let i = 0; i < this.landmarkCount; i++) landmarks.points[i] = i;
    landmarks.tangentScale = weights.contourTangent;
    this.landmarks = landmarks;
    this.identitySamples = [{ term: landmarks, points: TUNING.identityLandmarks }];
    this.contourMask = new Uint8Array(this.landmarkCount);
    if (this.landmarkCount === 478) for (const i of MEDIAPIPE_FACE_OVAL) this.contourMask[i] = 1;
    this.pointWeights = landmarkPointWeights(this.options.landmarkWeights, this.contourMask, weights.contour);

    if (this.options.dense && model.fittingRegion.length > 0) {
      const regionPoints = vertexBasis(model, model.fittingRegion);
      this.regionBasis = new SparsePointBasis(regionPoints, model.expression, identityCount, dropBelow, hessianBelow);
      this.regionNormals = new RegionNormals(model, model.fittingRegion, regionPoints.skinWeights, 1e-3, TUNING.hessianNormalDelta);
      this.denseSelector = new DenseSelector(model, this.regionBasis, this.regionNormals, this.kinematics);
      const capacity = Math.min(this.options.maxDense, model.fittingRegion.length);
      this.dense = this.energy.add(new ReprojectionTerm('dense', this.regionBasis, this.kinematics, offset, capacity));
      this.dense.hessianThinning = TUNING.denseHessianThinning;
      this.normals = this.energy.add(new NormalTerm('normals', this.regionNormals.basis, this.kinematics, offset, capacity));
      this.normals.hessianThinning = TUNING.denseHessianThinning;
      this.identitySamples.push({ term: this.dense, points: TUNING.identityDensePoints }, { term: this.normals, points: TUNING.identityDensePoints });
    }
    this.prior = this.energy.add(new AnchorTerm('prior', this.layout));
    this.temporal = this.energy.add(new AnchorTerm('temporal', this.layout));
    this.blendshapes = this.addBlendshapeTerm();
    this.solver = new LevenbergMarquardt(this.energy);
    this.state = new FrameState(this.layout);
    this.previous = new FrameState(this.layout);
    this.beforePrevious = new FrameState(this.layout);
    this.start = new FrameState(this.layout);
    this.rigidMask = new Uint8Array(this.layout.size);
    this.rigidMask.fill(1, 0, 6);
    this.setUpBoundsAndPriors();
    this.person = new PersonAndCamera(model, weights.identityPrior, this.layout.size, this.options.identity, (estimate) => this.applyIdentity(estimate), options.focalPx);
  }

  /** Fits one frame. */
  fit(observation: FrameObservation): FaceFit {
    const t0 = performance.now();
    const camera = this.person.cameraFor(observation.width, observation.height);
    const energy = this.energy, landmarks = this.landmarks;
    landmarks.camera = camera;
    this.setUpLandmarks(observation);
    if (this.dense) this.dense.camera = camera;

    let iterations = 0;
    const reinit = this.needsInit;
    if (reinit) iterations += this.initialise(observation, camera);
    const startMedianPx = !reinit && this.options.predictMotion && this.trackedFrames >= 2 ? this.predictPose() : undefined;
    this.setRobustLoss(reinit, startMedianPx);
    this.temporal.active = !reinit;
    if (!reinit) this.temporal.anchor.copyFrom(this.previous);
    if (this.blendshapes) this.blendshapes.active = this.blendshapes.setScores(observation.blendshapes);
    const denseCount = this.selectDense(observation, camera);
    const normalCount = this.normals?.count ?? 0;

    if (this.onSolved) this.start.copyFrom(this.state);
    const solveStart = performance.now();
    const result = this.solver.solve(energy, this.state, {
      maxIterations: reinit ? this.options.initIterations : this.options.maxIterations,
      relativeTolerance: this.options.relativeTolerance,
      absoluteTolerance: this.options.absoluteTolerance,
    });
    const solveMs = performance.now() - solveStart;
    this.onSolved?.({ energy, start: this.start, solution: this.state, result, solveMs });
    iterations += result.iterations;
    // The terms' per-point figures (RMS, distances) are those of the last evaluation: make it the solution's.
    if (energy.lastValue !== result.energy) energy.evaluate(this.state);
    const landmarkRmsPx = landmarks.rmsPx;
    this.person.observe({
      energy,
      state: this.state,
      solver: this.solver,
      samples: this.identitySamples,
      medianLandmarkPx: () => this.medianLandmarkPx() * landmarks.pixelScale,
    });

    this.beforePrevious.copyFrom(this.previous);
    this.previous.copyFrom(this.state);
    this.trackedFrames = reinit ? 1 : this.trackedFrames + 1;
    this.needsInit = false;
    return this.output(observation.timeMs, camera, {
      iterations,
      energy: result.energy,
      landmarkRmsPx,
      denseCount,
      normalCount,
      identityFrozen: this.person.frozen,
      reinitialised: reinit,
      ms: performance.now() - t0,
    }, this.options.blendshapePrior ? observation.blendshapes : undefined);
  }

  /** Starts over: identity, focal estimate and warm start (and a recorded neutral face, not a given one: `FaceFitterOptions.neutral`). */
  reset(): void {
    this.person.reset();
    this.needsInit = true;
    this.neutral?.newPerson();
  }

  /**
   * Records the user's resting face afresh over the next frames (`FaceFitterOptions.neutral`,
   * which must be set): the ARKit weights then read 0 on it.
   */
  calibrateNeutral(): void {
    if (!this.neutral) throw new TrackerError('invalid-state', 'calibrateNeutral() needs the fitter option `neutral` (e.g. `neutral: { frames: 30 }`).');
    this.neutral.recalibrate();
  }

  /** Uses these resting weights from now on (`NeutralCalibration.restore`: a recalibration given up, a restarted worker). */
  restoreNeutral(weights: ArrayLike<number>): void {
    if (!this.neutral) throw new TrackerError('invalid-state', 'restoreNeutral() needs the fitter option `neutral` (e.g. `neutral: { frames: 30 }`).');
    this.neutral.restore(weights);
  }

  /** The user's resting ARKit weights in use (`FaceFitterOptions.neutral`); undefined while recording or without the option. */
  get neutralWeights(): Float32Array | undefined {
    return this.neutral?.weights;
  }

  /** The face was lost: the next frame re-initialises the pose (identity is kept). */
  faceLost(): void {
    this.needsInit = true;
  }

  /** Whether identity (and focal length) have converged and are held fixed. */
  get identityFrozen(): boolean {
    return this.person.frozen;
  }

  /** Folds an identity estimate (see `PersonAndCamera`) into the bases and the joints' rest positions. */
  private applyIdentity(beta: Float64Array): void {
    this.landmarkBasis.setIdentity(beta);
    this.landmarkBasis.prepareAll();
    this.regionBasis?.setIdentity(beta);
    this.regionNormals?.setIdentity(beta);
    if (this.model.skeleton) {
      const rest = this.evaluator.restJoints({ identity: beta.subarray(0, this.model.identity.names.length) });
      this.kinematics.restJoints.set(rest);
    }
  }

  private setUpBoundsAndPriors(): void {
    const { layout, energy, model, prior, temporal } = this;
    const { weights, jointLimits } = this.options;
    const o = layout.expressionOffset;
    const group = model.expression;
    for (let e = 0; e < layout.expressionCount; e++) {
      if (group.min) energy.lower[o + e] = group.min[e]!;
      if (group.max) energy.upper[o + e] = group.max[e]!;
      const std = group.std[e]!;
      prior.weights[o + e] = weights.expressionPrior / (std * std);
      temporal.weights[o + e] = weights.temporalExpression;
    }
    temporal.weights.fill(weights.temporalRotation, 0, 3);
    // per mm² → per model unit²
    const perUnit = weights.temporalTranslation * (model.metersPerUnit * 1e3) ** 2;
    temporal.weights.fill(perUnit, 3, 6);
    const names = model.skeleton?.jointNames ?? [];
    for (let j = 1; j < names.length; j++) {
      const limit = jointLimits[names[j]!] ?? jointLimits.default ?? Infinity;
      energy.lower.fill(-limit, layout.jointOffset + 3 * (j - 1), layout.jointOffset + 3 * j);
      energy.upper.fill(limit, layout.jointOffset + 3 * (j - 1), layout.jointOffset + 3 * j);
      const w = weights.jointPrior[names[j]!] ?? weights.jointPrior.default ?? 0;
      prior.weights.fill(w, layout.jointOffset + 3 * (j - 1), layout.jointOffset + 3 * j);
      temporal.weights.fill(weights.temporalJoints, layout.jointOffset + 3 * (j - 1), layout.jointOffset + 3 * j);
    }
  }

  /** MediaPipe's scores as a prior: on the expressions of an ARKit-named model, or on the motion of the ARKit shapes of a projected one. */
  private addBlendshapeTerm(): BlendshapeTerm | undefined {
    if (!this.options.blendshapePrior) return undefined;
    const w = this.options.weights;
    const weights = { eyes: w.blendshapeEyes, gaze: w.blendshapeGaze, other: w.blendshapeOther, eyesMargin: w.blendshapeMarginEyes, otherMargin: w.blendshapeMarginOther };
    const named = arkitMapFromNames(this.model.expression.names);
    if (named) return this.energy.add(new NamedBlendshapeTerm(this.layout, named, weights));
    if (this.model.arkitProjection) return this.energy.add(new ArkitMotionTerm(this.layout, this.model.arkitProjection, weights, this.model.arkitMap));
    return undefined;
  }

  private setUpLandmarks(observation: FrameObservation): void {
    const term = this.landmarks, n = this.landmarkCount, lm = observation.landmarks, weights = this.options.weights;
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = lm[2 * i]!, y = lm[2 * i + 1]!;
      term.targets[2 * i] = x;
      term.targets[2 * i + 1] = y;
      const w = observation.landmarkWeights ? observation.landmarkWeights[i]! : 1;
      term.weights[i] = w * this.pointWeights[i]!;
      if (w > 0) {
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      }
    }
    term.weight = weights.landmarks;
    term.directions.fill(0);
    if (n === 478) contourDirections(lm, term.directions);
    const size = Math.max(maxX - minX, maxY - minY);
    term.pixelScale = size > 0 ? TUNING.referenceFacePx / size : 1;
    if (this.dense) this.dense.pixelScale = term.pixelScale;
  }

  /** The loss for this frame: Huber on a fresh start; else the configured loss, widened for the warm start's distance (see `robustScaleFactor`). */
  private setRobustLoss(reinit: boolean, startMedianPx = reinit ? NaN : this.landmarkMedianAt(this.state)): void {
    const landmarks = this.landmarks, dense = this.dense;
    landmarks.loss = reinit ? 'huber' : this.options.robustLoss;
    const scale = reinit ? 1 : robustScaleFactor(startMedianPx, landmarks.pixelScale, this.options.robustPx);
    landmarks.robustPx = this.options.robustPx * scale;
    if (dense) {
      dense.loss = landmarks.loss;
      dense.robustPx = this.options.denseRobustPx * scale;
    }
  }

  /**
   * Constant velocity from the last two solutions: R ← (R₁·R₀ᵀ)·R₁, (x, y) ← 2·(x, y)₁ − (x, y)₀.
   * Depth is left as it was: it is the weakest direction of the fit, and extrapolating its
   * small errors feeds them back.
   */
  private predictPose(): number | undefined {
    const before = this.landmarkMedianAt(this.state);
    const r1 = this.previous.rotation, r0 = this.beforePrevious.rotation, turn = this.turn;
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) turn[3 * r + c] = r1[3 * r]! * r0[3 * c]! + r1[3 * r + 1]! * r0[3 * c + 1]! + r1[3 * r + 2]! * r0[3 * c + 2]!;
    }
    multiplyMat3(turn, r1, this.state.rotation);
    // Back through axis-angle: extrapolating compounds rounding, frame after frame, unless the result is made a rotation again.
    this.state.setRotation(this.state.rotationAxisAngle());
    for (let c = 0; c < 2; c++) this.state.translation[c] = 2 * this.previous.translation[c]! - this.beforePrevious.translation[c]!;
    // Kept only when it meets this frame's points better: on a still or frozen face the
    // extrapolated motion would carry on as a slow drift wherever the solve stops short of the optimum.
    const predicted = this.landmarkMedianAt(this.state);
    if (predicted < before) return predicted;
    this.state.copyFrom(this.previous);
    return undefined;
  }

  /** The median landmark distance (px) with the face at `state`. */
  private landmarkMedianAt(state: FrameState): number {
    this.kinematics.update(state);
    this.landmarks.accumulate(state);
    return this.medianLandmarkPx();
  }

  /** Weak-perspective pose, then a rigid-only fit; expression and joints restart at rest. */
  private initialise(observation: FrameObservation, camera: PinholeCamera): number {
    const state = this.state, term = this.landmarks;
    state.expression.fill(0);
    state.joints.fill(0);
    if (!initialPose(this.landmarkBasis.base, observation.landmarks, term.weights, camera, state.rotation, state.translation)) return 0;
    this.temporal.active = false;
    if (this.blendshapes) this.blendshapes.active = false;
    if (this.dense) this.dense.count = 0;
    if (this.normals) this.normals.count = 0;
    const { iterations } = this.solver.solve(this.energy, state, {
      maxIterations: this.options.initIterations,
      relativeTolerance: 1e-4,
      absoluteTolerance: 0,
      mask: this.rigidMask,
    });
    return iterations;
  }

  /** Dense correspondences for this frame (see `DenseSelector`), with this frame's weights. */
  private selectDense(observation: FrameObservation, camera: PinholeCamera): number {
    const dense = this.dense, normals = this.normals;
    if (!dense || !normals || !this.denseSelector) return 0;
    dense.count = normals.count = 0;
    if (!observation.dense) return 0;
    this.regionNormals!.update(this.person.frozen ? Infinity : TUNING.normalIdentityCoefficients);
    dense.weight = this.options.weights.dense;
    normals.weight = this.options.weights.normals;
    normals.space = observation.dense.normalsSpace ?? 'camera';
    return this.denseSelector.select(observation.dense, this.state, camera, {
      gatePx: this.options.denseGatePx / dense.pixelScale,
      minFacing: this.options.denseMinFacing,
      maxCount: this.options.maxDense,
      normalStride: TUNING.normalStride,
    }, dense, normals);
  }

  /** The median landmark distance of the last evaluation, px (robust to outliers, unlike the RMS). */
  private medianLandmarkPx(): number {
    const term = this.landmarks, sorted = this.sortScratch;
    let n = 0;
    for (let i = 0; i < term.count; i++) if (term.weights[i]! > 0) sorted[n++] = term.distancesPx[i]!;
    if (n === 0) return Infinity;
    const used = sorted.subarray(0, n).sort();
    return used[n >> 1]!;
  }

  private output(timeMs: number, camera: PinholeCamera, stats: FaceFit['stats'], scores: Float32Array | undefined): FaceFit {
    const s = this.state;
    const expression = Float32Array.from(s.expression);
    const fit: FaceFit = {
      timeMs,
      rotation: s.rotationAxisAngle(),
      translation: Float64Array.from(s.translation),
      identity: Float32Array.from(this.person.identity),
      expression,
      camera,
      stats,
    };
    if (this.model.skeleton) {
      // The root's rotation is the head pose's.
      const joints = new Float32Array(3 * this.model.skeleton.jointNames.length);
      joints.set(s.joints, 3);
      fit.jointRotations = joints;
    }
    if (this.arkitMap || this.arkitProjector) {
      const arkit = this.arkitMap ? applyArkitMap(this.arkitMap, expression, fit.jointRotations) : new Float32Array(ARKIT_BLENDSHAPES.length);
      fit.arkit = this.arkitProjector ? this.arkitProjector.solve(expression, fit.jointRotations, arkit, scores) : arkit;
      if (this.options.separateAntagonists) separateAntagonists(fit.arkit);
      this.neutral?.apply(fit.arkit, timeMs);
    }
    return fit;
  }
}

/** Per landmark weight: the caller's factors (validated) times `contour` on the face-oval points. */
function landmarkPointWeights(factors: readonly number[] | undefined, contourMask: Uint8Array, contour: number): Float32Array {
  const n = contourMask.length;
  if (factors && (factors.length !== n || !factors.every((w) => Number.isFinite(w) && w >= 0))) {
    throw new TrackerError('invalid-input', `fitter option landmarkWeights: give ${n} finite weights ≥ 0, one per landmark of the model (got ${factors.length} values${factors.every(Number.isFinite) ? '' : ', some not finite'}).`, { expected: n, got: factors.length });
  }
  return Float32Array.from({ length: n }, (_, i) => (factors ? factors[i]! : 1) * (contourMask[i] ? contour : 1));
}
