import type { FrameState } from '../FrameState.js';
import type { Kinematics } from '../Kinematics.js';
import type { NormalEquations } from '../NormalEquations.js';
import type { SharedEquations } from '../SharedEquations.js';
import type { SparsePointBasis } from '../SparsePointBasis.js';
import type { SampledTerm } from './EnergyTerm.js';

/**
 * What the per-point terms (reprojection, normal alignment) share: the points selected this
 * frame with their targets and weights, the sampling into the identity estimate, and the scratch
 * a point's two Jacobian rows are built in (pose columns, joint columns, then the point's
 * expression columns).
 */
export abstract class PointTerm implements SampledTerm {
  /** Selected points this frame (indices into the basis), `count` of them. */
  readonly points: Int32Array;
  /** [capacity][targetSize] what each point is compared with. */
  readonly targets: Float64Array;
  readonly weights: Float64Array;
  count = 0;
  /** Overall weight of the term. */
  weight = 1;
  /** See `SampledTerm`. */
  sharedStride = 1;
  sharedPhase = 0;
  /** Only 1 point in this many goes into the Gauss-Newton matrix, weighted up by as much (see NormalEquations.hessianTakes). */
  hessianThinning = 1;

  protected readonly jointColumns: number;
  protected readonly cols: Int32Array;
  /** The point's two Jacobian rows. */
  protected readonly jacobian: Float64Array;
  protected readonly row1: Float64Array;
  /** [2][shared size] the point's rows in the shared unknowns (identity, log focal). */
  protected sharedJacobian = new Float64Array(0);

  constructor(
    readonly name: string,
    readonly basis: SparsePointBasis,
    protected readonly kinematics: Kinematics,
    protected readonly expressionOffset: number,
    capacity: number,
    targetSize: number,
    /** Jacobian columns before the joints': rotation and translation (6), or rotation only (3). */
    poseColumns: number,
  ) {
    this.points = new Int32Array(capacity);
    this.targets = new Float64Array(targetSize * capacity);
    this.weights = new Float64Array(capacity);
    this.jointColumns = 3 * kinematics.fittedJoints;
    let maxEntries = 0;
    for (let p = 0; p < basis.count; p++) maxEntries = Math.max(maxEntries, basis.expressionStart[p + 1]! - basis.expressionStart[p]!);
    const maxCols = poseColumns + this.jointColumns + maxEntries;
    this.cols = new Int32Array(maxCols);
    this.jacobian = new Float64Array(maxCols);
    this.row1 = new Float64Array(maxCols);
  }

  get active(): boolean {
    return this.count > 0;
  }

  abstract accumulate(state: FrameState, system?: NormalEquations, shared?: SharedEquations): number;

  /** Sizes the shared Jacobian for `shared`; its size (0 without). */
  protected prepareShared(shared?: SharedEquations): number {
    const K = shared ? shared.size : 0;
    if (this.sharedJacobian.length < 2 * K) this.sharedJacobian = new Float64Array(2 * K);
    return K;
  }
}
