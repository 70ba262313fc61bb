import { TrackerError } from '../../core/errors.js';
import { frameGaze } from '../../core/eyeGaze.js';
import type { FaceFrame } from '../../core/FaceFrame.js';
import type { FaceModelInfo } from '../../core/model/FaceModel.js';
import { Take } from './Take.js';
import type { TakeFrame } from './TakeData.js';

/** What a recorder needs of a tracker (a `FaceTracker` has it): its `frame` events and the model it tracks with. */
export interface RecordableTracker {
  readonly info: { readonly model: FaceModelInfo };
  addEventListener(type: 'frame', listener: (event: CustomEvent<FaceFrame>) => void): void;
  removeEventListener(type: 'frame', listener: (event: CustomEvent<FaceFrame>) => void): void;
}

/**
 * Records a tracker's `frame` events until `stop()`, which returns the `Take`. It keeps the pose,
 * expression, ARKit weights, joint rotations and eye rotations of each frame (not landmarks or
 * vertices), and the shape and camera of the last frame.
 *
 * ```ts
 * import { Recorder } from 'pixel3dmm-web/record';
 * const recorder = new Recorder(tracker);
 * // … later
 * const take = recorder.stop();
 * download(JSON.stringify(take.toJSON()), take.toCSV(), await take.toGLB(model));
 * ```
 */
export class Recorder {
  private readonly frames: TakeFrame[] = [];
  private first?: { timeMs: number; wallClock: number };
  private last?: FaceFrame;
  private take?: Take;
  private readonly onFrame = (e: CustomEvent<FaceFrame>) => this.add(e.detail);

  constructor(private readonly tracker: RecordableTracker) {
    tracker.addEventListener('frame', this.onFrame);
  }

  /** Whether it is still recording. */
  get recording(): boolean {
    return !this.take;
  }

  /** Frames recorded so far. */
  get frameCount(): number {
    return this.frames.length;
  }

  /** Milliseconds from the first recorded frame to the last. */
  get durationMs(): number {
    return this.frames.length ? this.frames[this.frames.length - 1]!.timeMs : 0;
  }

  /** Stops recording and returns the take (the same take on later calls). Throws `invalid-state` when no frame was recorded. */
  stop(): Take {
    if (this.take) return this.take;
    this.tracker.removeEventListener('frame', this.onFrame);
    if (!this.last || !this.first) throw new TrackerError('invalid-state', 'The recorder stopped before any frame with a face arrived: nothing to export.');
    const m = this.tracker.info.model;
    this.take = new Take({
      startedAt: new Date(this.first.wallClock),
      model: {
        name: m.name,
        units: m.units,
        metersPerUnit: m.metersPerUnit,
        identityCount: m.identityCount,
        expressionNames: [...m.expressionNames],
        ...(m.jointNames ? { jointNames: [...m.jointNames] } : {}),
      },
      camera: { ...this.last.camera },
      identity: Float32Array.from(this.last.identity),
      frames: this.frames,
    });
    return this.take;
  }

  private add(f: FaceFrame): void {
    this.first ??= { timeMs: f.timeMs, wallClock: Date.now() };
    const frame: TakeFrame = {
      timeMs: f.timeMs - this.first.timeMs,
      videoTime: f.videoTime,
      pose: { ...f.pose, rotation: [...f.pose.rotation], translation: [...f.pose.translation] },
      expression: Float32Array.from(f.expression),
    };
    if (f.arkit) frame.arkit = Float32Array.from(f.arkit);
    if (f.jointRotations) frame.jointRotations = Float32Array.from(f.jointRotations);
    const eyes = frameGaze(f);
    if (eyes) frame.eyes = eyes;
    this.frames.push(frame);
    this.last = f;
  }
}
