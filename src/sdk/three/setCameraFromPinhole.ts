import { MathUtils, type PerspectiveCamera } from 'three';
import type { PinholeCamera } from '../../core/camera.js';

export interface PinholeCameraOptions {
  /** Clip planes in model units (defaults: 1 cm and 10 m, for a model whose unit is `metersPerUnit` m). */
  metersPerUnit?: number;
  near?: number;
  far?: number;
}

/**
 * Makes a three.js camera see what the tracker's camera saw: at the origin, looking down −Z,
 * vertical field of view from the focal length and frame height, and the principal point
 * (cx, cy) where the fit put it (via `setViewOffset`). Render at the video's aspect ratio, with
 * the video drawn behind, and a `FaceAvatar` in overlay mode lands on the face.
 */
export function setCameraFromPinhole(camera: PerspectiveCamera, pinhole: PinholeCamera, options: PinholeCameraOptions = {}): PerspectiveCamera {
  const { focalPx, cx, cy, width, height } = pinhole;
  const unitsPerMeter = 1 / (options.metersPerUnit ?? 0.01);
  camera.position.set(0, 0, 0);
  camera.quaternion.identity();
  camera.fov = MathUtils.radToDeg(2 * Math.atan(height / (2 * focalPx)));
  camera.aspect = width / height;
  camera.near = options.near ?? 0.01 * unitsPerMeter;
  camera.far = options.far ?? 10 * unitsPerMeter;
  // The optical axis is the centre of the full view; shift the window so it falls on (cx, cy).
  camera.setViewOffset(width, height, width / 2 - cx, height / 2 - cy, width, height);
  camera.updateMatrixWorld();
  return camera;
}
