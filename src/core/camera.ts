import { axisAngleToMatrix } from './math/rotation.js';

/** Pinhole camera on the full frame. */
export interface PinholeCamera {
  /** Focal length, px. */
  focalPx: number;
  /** Principal point, px. */
  cx: number;
  cy: number;
  /** Frame size, px. */
  width: number;
  height: number;
}

/** Model-space points to camera space in place: p ← R(rotation)·p + translation. */
export function transformToCamera(points: Float32Array, rotation: ArrayLike<number>, translation: ArrayLike<number>): Float32Array {
  const r = axisAngleToMatrix(rotation[0]!, rotation[1]!, rotation[2]!);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    points[i] = r[0]! * x + r[1]! * y + r[2]! * z + translation[0]!;
    points[i + 1] = r[3]! * x + r[4]! * y + r[5]! * z + translation[1]!;
    points[i + 2] = r[6]! * x + r[7]! * y + r[8]! * z + translation[2]!;
  }
  return points;
}

/** Camera-space points to pixels: u = cx + f·x/(−z), v = cy − f·y/(−z) (see fit/types.ts). Writes [count][2]. */
export function projectCameraPoints(points: ArrayLike<number>, camera: PinholeCamera, out = new Float32Array((points.length / 3) * 2)): Float32Array {
  for (let i = 0, n = points.length / 3; i < n; i++) {
    const invDepth = 1 / -points[3 * i + 2]!;
    out[2 * i] = camera.cx + camera.focalPx * points[3 * i]! * invDepth;
    out[2 * i + 1] = camera.cy - camera.focalPx * points[3 * i + 1]! * invDepth;
  }
  return out;
}

/** Model-space points posed by the head pose and projected to pixels, [count][2]. */
export function projectModelPoints(points: ArrayLike<number>, rotation: ArrayLike<number>, translation: ArrayLike<number>, camera: PinholeCamera): Float32Array {
  return projectCameraPoints(transformToCamera(Float32Array.from(points), rotation, translation), camera);
}
