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

/**
 * A stretch of a take with no frames because the tracker could not deliver them (not a face
 * lost: those are simply absent frames). Times are ms on the take's clock (`TakeFrame.timeMs`).
 */
export interface TakeGap {
  /** The last frame before the gap (a frame that waited for the restarted worker counts as before). */
  startMs: number;
  /** The first frame the restarted worker tracked; absent when the take ended inside the gap (the tracker did not come back). */
  endMs?: number;
  /** `worker-crashed`: the tracking worker crashed (and was restarted when `endMs` is set). */
  reason: 'worker-crashed';
}

export interface TakeData {
  /** Wall-clock time of the first frame. */
  startedAt: Date;
  model: TakeModelJSON;
  camera: PinholeCamera;
  /** The face's shape (the last frame's estimate). */
  identity: Float32Array;
  frames: TakeFrame[];
  /** Where frames are missing because tracking stopped (a worker crash); none when absent. */
  gaps?: readonly TakeGap[];
}

/** What the exporters read of a take (a `Take` has it): the header, and the frames one at a time. */
export interface TakeSource {
  readonly startedAt: Date;
  readonly model: TakeModelJSON;
  readonly camera: PinholeCamera;
  readonly identity: Float32Array;
  readonly gaps: readonly TakeGap[];
  readonly frameCount: number;
  frameAt(i: number): TakeFrame;
}
