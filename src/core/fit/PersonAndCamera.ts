import type { PinholeCamera } from '../camera.js';
import type { FaceModel } from '../model/FaceModel.js';
import type { FrameEnergy } from './FrameEnergy.js';
import type { FrameState } from './FrameState.js';
import { IdentityEstimator, type IdentityPolicy } from './IdentityEstimator.js';
import type { LevenbergMarquardt } from './LevenbergMarquardt.js';
import { NormalEquations } from './NormalEquations.js';
import { SharedEquations } from './SharedEquations.js';
import type { SampledTerm } from './terms/EnergyTerm.js';

/** A term that feeds the identity estimate, and how many of its points an identity frame takes. */
export interface IdentitySample {
  term: SampledTerm;
  points: number;
}

/** A solved frame, as an identity update reads it. */
export interface SolvedFrameForIdentity {
  energy: FrameEnergy;
  state: FrameState;
  solver: LevenbergMarquardt;
  /** The terms that take part, each with its subsample size. */
  samples: readonly IdentitySample[];
  /** The median landmark distance, px of the reference face (computed only when the frame is a candidate). */
  medianLandmarkPx: () => number;
}

/**
 * What stays the same across a person's frames: the identity coefficients (the face's shape) and,
 * when not given, the camera's focal length. Estimated from sampled frames (see
 * `IdentityEstimator`), never per frame, and frozen once stable; `onChange` tells the fitter to
 * fold a new estimate into its bases.
 */
export class PersonAndCamera {
  /** Whether the focal length is estimated (the last shared unknown, as its log). */
  readonly estimatesFocal: boolean;
  private readonly identityCount: number;
  private readonly estimator: IdentityEstimator;
  private readonly shared: SharedEquations;
  /** The frame's Gauss-Newton system at its solution, built on identity frames. */
  private readonly frameSystem: NormalEquations;
  private focalPx = 0;
  private frameWidth = 0;
  private frameHeight = 0;
  private framesSinceSample = Infinity;

  constructor(
    model: FaceModel,
    /** The identity prior's weight (`FitWeights.identityPrior`). */
    identityPrior: number,
    /** Unknowns per frame (`FrameLayout.size`). */
    frameSize: number,
    private readonly policy: IdentityPolicy,
    /** Called with the whole estimate (identity coefficients, then log focal when estimated) whenever it changes. */
    private readonly onChange: (estimate: Float64Array) => void,
    focalPx?: number,
  ) {
    this.identityCount = model.identity.names.length;
    this.estimatesFocal = focalPx === undefined;
    if (focalPx !== undefined) this.focalPx = focalPx;
    const size = this.identityCount + (this.estimatesFocal ? 1 : 0);
    const priorWeight = new Float64Array(size), priorMean = new Float64Array(size), changeScale = new Float64Array(size);
    for (let k = 0; k < this.identityCount; k++) {
      const std = model.identity.std[k]!;
      priorWeight[k] = identityPrior / (std * std);
      changeScale[k] = std;
    }
    if (this.estimatesFocal) {
      // log focal: a loose prior (±40 %) around the initial guess, set per frame size in `cameraFor`.
      priorWeight[this.identityCount] = identityPrior / 0.4 ** 2;
      changeScale[this.identityCount] = 0.05;
    }
    this.estimator = new IdentityEstimator(priorWeight, priorMean, changeScale);
    this.shared = new SharedEquations(size, frameSize);
    this.frameSystem = new NormalEquations(frameSize);
    this.apply();
  }

  /** Whether the estimate has converged and is held fixed. */
  get frozen(): boolean {
    return this.estimator.frozen;
  }

  /** The identity coefficients (a view of the estimate). */
  get identity(): Float64Array {
    return this.estimator.estimate.subarray(0, this.identityCount);
  }

  /**
   * The camera for a frame of this size (px). The first frame size starts a focal estimate from a
   * typical webcam's (0.8 · the larger side); a new size (another resolution, a rotated or switched
   * camera) scales the estimate with the larger side — the same field of view — and keeps the
   * identity and what the frames so far said.
   */
  cameraFor(width: number, height: number): PinholeCamera {
    if (width !== this.frameWidth || height !== this.frameHeight) {
      const previousSide = Math.max(this.frameWidth, this.frameHeight);
      this.frameWidth = width;
      this.frameHeight = height;
      if (this.estimatesFocal) {
        const focal = this.estimator.size - 1;
        if (previousSide === 0) {
          this.estimator.priorMean[focal] = Math.log(0.8 * Math.max(width, height));
          this.estimator.reset();
        } else this.estimator.shift(focal, Math.log(Math.max(width, height) / previousSide));
        this.apply();
      }
    }
    return { focalPx: this.focalPx, cx: width / 2, cy: height / 2, width, height };
  }

  /** On a sampled, well-fitted, not-too-turned frame (see `IdentityPolicy`): adds it to the estimate. */
  observe(frame: SolvedFrameForIdentity): void {
    this.framesSinceSample++;
    const policy = this.policy;
    if (this.estimator.frozen || this.framesSinceSample < policy.interval) return;
    if (frame.medianLandmarkPx() > policy.maxLandmarkErrorPx) return;
    const r = frame.state.rotation;
    const angle = Math.acos(Math.min(1, Math.max(-1, (r[0]! + r[4]! + r[8]! - 1) / 2)));
    if ((angle * 180) / Math.PI > policy.maxRotationDeg) return;
    this.framesSinceSample = 0;
    // A different subsample each identity frame, so all points take part over time.
    for (const { term, points } of frame.samples) {
      term.sharedStride = Math.max(1, Math.ceil(term.count / points));
      term.sharedPhase = this.estimator.frames % term.sharedStride;
    }
    this.shared.clear();
    frame.energy.evaluate(frame.state, this.frameSystem, this.shared);
    this.shared.flush();
    this.estimator.addFrame(this.shared, this.frameSystem, frame.solver.free, frame.solver.freeCount, policy);
    this.apply();
  }

  /** Starts over: a new person (and camera). */
  reset(): void {
    this.estimator.reset();
    this.apply();
    this.framesSinceSample = Infinity;
    this.frameWidth = 0;
    this.frameHeight = 0;
  }

  private apply(): void {
    const estimate = this.estimator.estimate;
    if (this.estimatesFocal && this.frameWidth > 0) this.focalPx = Math.exp(estimate[this.estimator.size - 1]!);
    this.onChange(estimate);
  }
}
