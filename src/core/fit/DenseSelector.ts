import type { FaceModel } from '../model/FaceModel.js';
import type { FrameState } from './FrameState.js';
import { type Kinematics, PosedPoint } from './Kinematics.js';
import type { RegionNormals } from './normalBasis.js';
import type { NormalTerm } from './terms/NormalTerm.js';
import type { ReprojectionTerm } from './terms/ReprojectionTerm.js';
import type { SparsePointBasis } from './SparsePointBasis.js';
import type { PinholeCamera } from '../camera.js';
import type { DenseCorrespondences } from './types.js';

export interface DenseSelection {
  /** Largest distance from where the current fit projects the vertex, px (full frame). */
  gatePx: number;
  /** Smallest cosine between the vertex normal and the ray to the camera. */
  minFacing: number;
  /** Correspondences taken at most (uniformly thinned). */
  maxCount: number;
  /** One normal for this many correspondences, weighted up by as much (normal maps are smooth). */
  normalStride: number;
}

/**
 * A frame's dense correspondences → the dense and normal terms: vertices of the fitting region,
 * facing the camera and close to where the current (warm-start) fit projects them. The rest are
 * occluded, mismatched or outside the region.
 */
export class DenseSelector {
  private readonly positions: SparsePointBasis;
  private readonly normals: RegionNormals;
  private readonly kinematics: Kinematics;
  /** Mesh vertex → fitting-region slot, −1 outside. */
  private readonly slot: Int32Array;
  private readonly posed: PosedPoint;
  private readonly turn = new Float64Array(9);

  constructor(model: FaceModel, positions: SparsePointBasis, normals: RegionNormals, kinematics: Kinematics) {
    this.positions = positions;
    this.normals = normals;
    this.kinematics = kinematics;
    this.slot = new Int32Array(model.vertexCount).fill(-1);
    model.fittingRegion.forEach((v, i) => (this.slot[v] = i));
    this.posed = new PosedPoint(kinematics.fittedJoints);
  }

  /** Fills `dense` (and `normals` when the observation has them); returns the count taken. */
  select(observed: DenseCorrespondences, state: FrameState, camera: PinholeCamera, options: DenseSelection, dense: ReprojectionTerm, normals: NormalTerm): number {
    dense.count = 0;
    normals.count = 0;
    this.kinematics.update(state);
    const { posed, turn } = this;
    const normalBasis = this.normals.basis;
    this.positions.setExpression(state.expression);
    normalBasis.setExpression(state.expression);
    const total = observed.vertices.length;
    const stride = Math.max(1, total / options.maxCount);
    const f = camera.focalPx, gate2 = options.gatePx * options.gatePx;
    for (let s = 0; s < total && dense.count < dense.points.length; s += stride) {
      const i = Math.floor(s);
      const slot = this.slot[observed.vertices[i]!]!;
      if (slot < 0) continue;
      this.kinematics.pose(this.positions, slot, posed, false);
      const P = posed.camera;
      if (P[2]! >= 0) continue;
      const du = camera.cx + (f * P[0]!) / -P[2]! - observed.pixels[2 * i]!;
      const dv = camera.cy - (f * P[1]!) / -P[2]! - observed.pixels[2 * i + 1]!;
      if (du * du + dv * dv > gate2) continue;
      // Facing: the model normal against the ray to the camera.
      this.kinematics.deltaToCamera(normalBasis.skinWeights, slot, turn);
      const no = normalBasis.shape(slot), shaped = normalBasis.shaped;
      const nx = shaped[no]!, ny = shaped[no + 1]!, nz = shaped[no + 2]!;
      const cx = turn[0]! * nx + turn[1]! * ny + turn[2]! * nz;
      const cy = turn[3]! * nx + turn[4]! * ny + turn[5]! * nz;
      const cz = turn[6]! * nx + turn[7]! * ny + turn[8]! * nz;
      const facing = -(cx * P[0]! + cy * P[1]! + cz * P[2]!) / Math.sqrt((cx * cx + cy * cy + cz * cz) * (P[0]! * P[0]! + P[1]! * P[1]! + P[2]! * P[2]!));
      if (!(facing > options.minFacing)) continue;
      const w = observed.weights ? observed.weights[i]! : 1;
      const d = dense.count++;
      dense.points[d] = slot;
      dense.targets[2 * d] = observed.pixels[2 * i]!;
      dense.targets[2 * d + 1] = observed.pixels[2 * i + 1]!;
      dense.weights[d] = w;
      if (observed.normals && d % options.normalStride === 0) {
        const n = normals.count++;
        normals.points[n] = slot;
        normals.targets[3 * n] = observed.normals[3 * i]!;
        normals.targets[3 * n + 1] = observed.normals[3 * i + 1]!;
        normals.targets[3 * n + 2] = observed.normals[3 * i + 2]!;
        normals.weights[n] = w * options.normalStride;
      }
    }
    return dense.count;
  }
}
