import { AnchorTerm } from './terms/AnchorTerm.js';
import type { FrameLayout, FrameState } from './FrameState.js';
import type { Kinematics } from './Kinematics.js';
import type { NormalEquations } from './NormalEquations.js';
import type { NormalTerm } from './terms/NormalTerm.js';
import type { ReprojectionTerm } from './terms/ReprojectionTerm.js';
import type { SharedEquations } from './SharedEquations.js';

/**
 * The per-frame energy: the sum of its terms, with the bounds of the unknowns. Solvers (the
 * Levenberg-Marquardt fit and the Adam reference) see only this.
 */
export class FrameEnergy {
  readonly layout: FrameLayout;
  readonly kinematics: Kinematics;
  /** Per unknown; ±Infinity where unbounded. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly landmarks: ReprojectionTerm;
  readonly dense?: ReprojectionTerm;
  readonly normals?: NormalTerm;
  /** Tikhonov prior on expression and joints (anchor zero). */
  readonly prior: AnchorTerm;
  /** Pull towards the previous frame's solution. */
  readonly temporal: AnchorTerm;
  /** MediaPipe blendshape scores on the expressions they name. */
  readonly blendshapes: AnchorTerm;
  /** Whether the temporal and blendshape terms take part this frame. */
  temporalActive = false;
  blendshapesActive = false;
  /** The value of the last evaluation. */
  lastValue = NaN;

  constructor(layout: FrameLayout, kinematics: Kinematics, landmarks: ReprojectionTerm, dense?: ReprojectionTerm, normals?: NormalTerm) {
    this.layout = layout;
    this.kinematics = kinematics;
    this.landmarks = landmarks;
    if (dense) this.dense = dense;
    if (normals) this.normals = normals;
    this.lower = new Float64Array(layout.size).fill(-Infinity);
    this.upper = new Float64Array(layout.size).fill(Infinity);
    this.prior = new AnchorTerm(layout);
    this.temporal = new AnchorTerm(layout);
    this.blendshapes = new AnchorTerm(layout);
  }

  /** Energy at `state`; fills `system` (cleared first) when given. */
  evaluate(state: FrameState, system?: NormalEquations, shared?: SharedEquations): number {
    this.kinematics.update(state);
    system?.clear();
    let energy = this.landmarks.accumulate(state, system, shared);
    if (this.dense && this.dense.count > 0) energy += this.dense.accumulate(state, system, shared);
    if (this.normals && this.normals.count > 0) energy += this.normals.accumulate(state, system, shared);
    energy += this.prior.accumulate(state, system);
    if (this.temporalActive) energy += this.temporal.accumulate(state, system);
    if (this.blendshapesActive) energy += this.blendshapes.accumulate(state, system);
    this.lastValue = energy;
    return energy;
  }
}
