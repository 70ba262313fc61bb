import { axisAngleToMatrix, multiplyMat3 } from '../math/rotation.js';
import type { FaceModel, Skeleton } from './FaceModel.js';

/** Joint rest positions regressed from the given (shaped) vertices: [jointCount][3]. */
export function restJointPositions(model: Pick<FaceModel, 'skeleton'>, vertices: ArrayLike<number>): Float64Array {
  const s = model.skeleton!;
  const out = new Float64Array(s.jointNames.length * 3);
  const { joint, vertex, weight } = s.regressor;
  for (let i = 0; i < weight.length; i++) {
    const j = 3 * joint[i]!, v = 3 * vertex[i]!, w = weight[i]!;
    out[j] += w * vertices[v]!;
    out[j + 1] += w * vertices[v + 1]!;
    out[j + 2] += w * vertices[v + 2]!;
  }
  return out;
}

/**
 * World transforms of the joints for linear blend skinning, as 3x4 row-major [R | t] per joint,
 * already composed with the inverse rest transform: a rest-pose point p moves to R·p + t.
 * Also returns the local rotation matrices (needed for FLAME's pose correctives).
 */
export function skinningTransforms(
  skeleton: Skeleton,
  restJoints: ArrayLike<number>,
  jointRotations: ArrayLike<number>,
): { transforms: Float64Array; localRotations: Float64Array } {
  const n = skeleton.jointNames.length;
  const localRotations = new Float64Array(9 * n);
  const worldR = new Float64Array(9 * n);
  const worldT = new Float64Array(3 * n);
  const transforms = new Float64Array(12 * n);
  const tmp = new Float64Array(9);
  for (let j = 0; j < n; j++) {
    const r = localRotations.subarray(9 * j, 9 * j + 9);
    axisAngleToMatrix(jointRotations[3 * j] ?? 0, jointRotations[3 * j + 1] ?? 0, jointRotations[3 * j + 2] ?? 0, r);
    const p = skeleton.parents[j]!;
    if (p < 0) {
      worldR.set(r, 9 * j);
      for (let c = 0; c < 3; c++) worldT[3 * j + c] = restJoints[3 * j + c]!;
    } else {
      const pr = worldR.subarray(9 * p, 9 * p + 9);
      multiplyMat3(pr, r, tmp);
      worldR.set(tmp, 9 * j);
      // The joint's offset from its parent, carried by the parent's world transform.
      const dx = restJoints[3 * j]! - restJoints[3 * p]!, dy = restJoints[3 * j + 1]! - restJoints[3 * p + 1]!, dz = restJoints[3 * j + 2]! - restJoints[3 * p + 2]!;
      for (let c = 0; c < 3; c++) worldT[3 * j + c] = worldT[3 * p + c]! + pr[3 * c]! * dx + pr[3 * c + 1]! * dy + pr[3 * c + 2]! * dz;
    }
    const R = worldR.subarray(9 * j, 9 * j + 9);
    const jx = restJoints[3 * j]!, jy = restJoints[3 * j + 1]!, jz = restJoints[3 * j + 2]!;
    for (let row = 0; row < 3; row++) {
      transforms[12 * j + 4 * row] = R[3 * row]!;
      transforms[12 * j + 4 * row + 1] = R[3 * row + 1]!;
      transforms[12 * j + 4 * row + 2] = R[3 * row + 2]!;
      transforms[12 * j + 4 * row + 3] = worldT[3 * j + row]! - (R[3 * row]! * jx + R[3 * row + 1]! * jy + R[3 * row + 2]! * jz);
    }
  }
  return { transforms, localRotations };
}

/** FLAME's pose feature: (R_j − I) of every non-root joint, row-major, concatenated. */
export function poseFeature(localRotations: ArrayLike<number>, jointCount: number, out = new Float64Array(9 * (jointCount - 1))): Float64Array {
  for (let j = 1; j < jointCount; j++) {
    for (let e = 0; e < 9; e++) out[9 * (j - 1) + e] = localRotations[9 * j + e]! - (e % 4 === 0 ? 1 : 0);
  }
  return out;
}

/** In-place LBS: `points` [count][3] with dense weights [count][jointCount]. */
export function applySkinning(points: Float32Array, weights: ArrayLike<number>, jointCount: number, transforms: ArrayLike<number>): void {
  const count = points.length / 3;
  for (let i = 0; i < count; i++) {
    const x = points[3 * i]!, y = points[3 * i + 1]!, z = points[3 * i + 2]!;
    let ox = 0, oy = 0, oz = 0;
    for (let j = 0; j < jointCount; j++) {
      const w = weights[i * jointCount + j]!;
      if (w === 0) continue;
      const t = 12 * j;
      ox += w * (transforms[t]! * x + transforms[t + 1]! * y + transforms[t + 2]! * z + transforms[t + 3]!);
      oy += w * (transforms[t + 4]! * x + transforms[t + 5]! * y + transforms[t + 6]! * z + transforms[t + 7]!);
      oz += w * (transforms[t + 8]! * x + transforms[t + 9]! * y + transforms[t + 10]! * z + transforms[t + 11]!);
    }
    points[3 * i] = ox;
    points[3 * i + 1] = oy;
    points[3 * i + 2] = oz;
  }
}
