/** A take in memory: what `Recorder` collects, `Take` wraps and the exporters read. */
import type { EyeGaze } from '../../core/eyeGaze.js';
import type { HeadPose } from '../../core/FaceFrame.js';
import type { PinholeCamera } from '../../core/camera.js';
import type { TakeModelJSON } from './takeSchema.js';

/** One recorded frame: what a take keeps of a `FaceFrame`. */
export interface TakeFrame {
  /** Milliseconds since the take's first frame (the frame clock, as `FaceFrame.timeMs`). */
  timeMs: number;
  /** Position in the source video or stream, s. */
  videoTime: number;
  pose: HeadPose;
  expression: Float32Array;
  arkit?: Float32Array;
  jointRotations?: Float32Array;
  /** Eye rotations (see `frameGaze`), when the frame had eyeLook scores. */
  eyes?: EyeGaze;
}

export interface TakeData {
  /** Wall-clock time of the first frame. */
  startedAt: Date;
  model: TakeModelJSON;
  camera: PinholeCamera;
  /** The face's shape (the last frame's estimate). */
  identity: Float32Array;
  frames: TakeFrame[];
}
