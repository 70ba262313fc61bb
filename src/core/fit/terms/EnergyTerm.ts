import type { FrameState } from '../FrameState.js';
import type { NormalEquations } from '../NormalEquations.js';
import type { SharedEquations } from '../SharedEquations.js';

/**
 * One term of the per-frame energy (docs/architecture.md, "Adding an energy term"). `FrameEnergy`
 * sums its active terms, in the order they were added; the solvers see only that sum.
 */
export interface EnergyTerm {
  /** What it measures, for diagnostics ('landmarks', 'temporal', …). */
  readonly name: string;
  /** Whether it takes part in this frame's energy. */
  readonly active: boolean;
  /**
   * The term's energy at `state` (the kinematics already updated to it). When given, adds its
   * gradient Jᵀ·r (and JᵀJ where `system.withHessian`) to `system`, and its blocks in the unknowns
   * shared across frames (identity, log focal length) to `shared`.
   */
  accumulate(state: FrameState, system?: NormalEquations, shared?: SharedEquations): number;
}

/** A blendshape prior's weights (per unit²) and score margins (`scoreBeyondMargin`), over the eye shapes and the rest; `gaze` weighs the eyeLook shapes of ARKit-named models (`NamedBlendshapeTerm`: a projected model's gaze comes from its eye joints). */
export interface BlendshapePriorWeights {
  eyes: number;
  gaze: number;
  other: number;
  eyesMargin: number;
  otherMargin: number;
}

/** A prior from MediaPipe's blendshape scores, set each frame. */
export interface BlendshapeTerm extends EnergyTerm {
  active: boolean;
  /** Takes this frame's scores (`MEDIAPIPE_BLENDSHAPES` order); false when there are none to use. */
  setScores(scores: Float32Array | undefined): boolean;
}

/**
 * A term of per-point residuals that also feeds the identity estimate. Identity columns cost
 * (identity count)² per point, too much for thousands of points: an identity build takes every
 * `sharedStride`-th point from `sharedPhase` into both systems (`shared` and the frame's),
 * weighted up by the stride. The two systems must come from the same points, or the Schur
 * complement that eliminates the frame's unknowns can lose its positive definiteness.
 */
export interface SampledTerm extends EnergyTerm {
  /** Points selected this frame. */
  readonly count: number;
  sharedStride: number;
  sharedPhase: number;
}
