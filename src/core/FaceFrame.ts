import type { FaceCrop } from './image/FaceCropTracker.js';
import type { PinholeCamera } from './camera.js';

/** Head pose of one frame: model → camera (three.js camera space, see fit/types.ts). */
export interface HeadPose {
  /** Axis-angle, radians. */
  rotation: [number, number, number];
  /** Camera space, in `FaceFrame.units` (the model's length unit); z < 0 in front of the camera. */
  translation: [number, number, number];
  /** The same rotation as yaw (about Y), pitch (about X), roll (about Z), radians, R = Ry·Rx·Rz. */
  yaw: number;
  pitch: number;
  roll: number;
}

/** Timings of one frame, ms. */
export interface FrameTimings {
  /** MediaPipe FaceLandmarker. */
  landmarksMs: number;
  /** Morphable-model fit + smoothing. */
  fitMs: number;
  /** Everything the worker did for this frame. */
  workerMs: number;
  /** Frame grab (main thread) to event, filled in on the main thread. */
  latencyMs: number;
  /** Age of the ViT prior maps this frame's fit used (frame clock, ms); absent when it used none. */
  priorAgeMs?: number;
}

/** The length unit of a frame's positions: the face model's (cm for the default model, m for FLAME). */
export interface LengthUnits {
  /** 'cm', 'm' or 'mm'. */
  length: string;
  /** Multiply a length by this for metres. */
  metersPerUnit: number;
}

/**
 * What the tracker reports for each frame with a face: the `frame` event's detail. Units: times
 * in ms on the frame clock (`timeMs`) except `videoTime` (s, as `HTMLMediaElement.currentTime`),
 * angles in radians, image positions in px of the video frame, lengths in `units.length`.
 */
export interface FaceFrame {
  /** The frame clock, ms: when the frame was grabbed (`performance.now()` on the main thread), or `videoTime` · 1000 in offline mode (`track()`). */
  timeMs: number;
  /** The frame's position in the source video, s. */
  videoTime: number;
  /** The length unit of `pose.translation`, `vertices` and the camera-space positions. */
  units: LengthUnits;
  /** Frame size, px. */
  width: number;
  height: number;
  pose: HeadPose;
  /** Model coefficients (names in `FaceTrackerInfo.model`). */
  identity: Float32Array;
  expression: Float32Array;
  /** Joint rotations, axis-angle radians [jointCount][3], skinned models only. */
  jointRotations?: Float32Array;
  /** ARKit-52 weights in [0, 1], `ARKIT_BLENDSHAPES` order; absent when the model has no ARKit map. */
  arkit?: Float32Array;
  camera: PinholeCamera;
  /** The fitted model's 478 MediaPipe-embedded points, projected to video pixels, [478][2]. */
  landmarks2d: Float32Array;
  /** The fitted model's 68 Multi-PIE (iBUG 300-W) points, projected to video pixels, [68][2] (when the model has them). */
  landmarks68?: Float32Array;
  /** MediaPipe's own 478 points for this frame, video pixels, [478][2]. */
  mediapipeLandmarks: Float32Array;
  /** The smoothed square face crop (what a ViT prior sees), frame px. */
  crop: FaceCrop;
  /** MediaPipe's 52 blendshape scores (`MEDIAPIPE_BLENDSHAPES` order). */
  mediapipeBlendshapes: Float32Array;
  /** Posed mesh vertices in camera space (model units), when the tracker was created with `outputs.vertices`. */
  vertices?: Float32Array;
  timings: FrameTimings;
  /** Fit diagnostics; `reinitialised`: the pose was solved afresh (first frame, or first after a lost face), identity kept (`FitStats`). */
  fit: { iterations: number; landmarkRmsPx: number; denseCount: number; normalCount: number; identityFrozen: boolean; reinitialised: boolean };
}
