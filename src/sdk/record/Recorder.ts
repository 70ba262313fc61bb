import { TrackerError } from '../../core/errors.js';
import { frameGaze } from '../../core/eyeGaze.js';
import type { FaceFrame } from '../../core/FaceFrame.js';
import type { FaceModelInfo } from '../../core/model/FaceModel.js';
import { Take } from './Take.js';
import type { TakeGap } from './TakeData.js';
import { TakeFrameStore } from './TakeFrameStore.js';

/**
 * What a recorder needs of a tracker (a `FaceTracker` has it): its `frame` events, its `error`
 * events (a `worker-crashed` one marks a gap in the take) and the model it tracks with.
 */
export interface RecordableTracker {
  readonly info: { readonly model: FaceModelInfo };
  addEventListener(type: 'frame', listener: (event: CustomEvent<FaceFrame>) => void): void;
  addEventListener(type: 'error', listener: (event: CustomEvent<TrackerError>) => void): void;
  removeEventListener(type: 'frame', listener: (event: CustomEvent<FaceFrame>) => void): void;
  removeEventListener(type: 'error', listener: (event: CustomEvent<TrackerError>) => void): void;
}

/**
 * Records a tracker's `frame` events until `stop()`, which returns the `Take`. It keeps the pose,
 * expression, ARKit weights, joint rotations and eye rotations of each frame (not landmarks or
 * vertices), and the shape and camera of the last frame. Frames go into a `TakeFrameStore`
 * (≈ 385 bytes a frame for the default model: 40 MiB an hour at 30 fps). When the tracking
 * worker crashes, the frames before are kept and the take gets a gap (`take.gaps`) from the last
 * frame before the restart (a frame that waited for the restarted worker counts as before) to the
 * first tracked by the restarted worker.
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
  private readonly frames: TakeFrameStore;
  private readonly gaps: TakeGap[] = [];
  /** A gap opened by a crash, closed by the first frame grabbed after it. */
  private openGap?: TakeGap;
  /** When the crash was reported, ms (performance.now()), and the restart's back-off, ms. */
  private crash = { at: 0, restartDelayMs: 0 };
  private first?: { timeMs: number; wallClock: number };
  private last?: FaceFrame;
  private take?: Take;
  private readonly onFrame = (e: CustomEvent<FaceFrame>) => this.add(e.detail);
  private readonly onError = (e: CustomEvent<TrackerError>) => {
    if (e.detail.code !== 'worker-crashed' || !this.last || !this.first || this.openGap) return;
    this.openGap = { startMs: this.last.timeMs - this.first.timeMs, reason: 'worker-crashed' };
    const delay = e.detail.details.restartDelayMs;
    this.crash = { at: performance.now(), restartDelayMs: typeof delay === 'number' ? delay : 0 };
    this.gaps.push(this.openGap);
  };

  constructor(private readonly tracker: RecordableTracker) {
    const { expressionNames, jointNames } = tracker.info.model;
    this.frames = new TakeFrameStore({ expressionCount: expressionNames.length, jointRotationCount: 3 * (jointNames?.length ?? 0) });
    tracker.addEventListener('frame', this.onFrame);
    tracker.addEventListener('error', this.onError);
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
    return this.frames.length ? this.frames.timeMsAt(this.frames.length - 1) : 0;
  }

  /** Stops recording and returns the take (the same take on later calls). Throws `invalid-state` when no frame was recorded. */
  stop(): Take {
    if (this.take) return this.take;
    this.tracker.removeEventListener('frame', this.onFrame);
    this.tracker.removeEventListener('error', this.onError);
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
      gaps: this.gaps,
    });
    return this.take;
  }

  private add(f: FaceFrame): void {
    this.first ??= { timeMs: f.timeMs, wallClock: Date.now() };
    const timeMs = f.timeMs - this.first.timeMs;
    if (this.openGap) {
      // The live pump's waiting frame (grabbed before the crash or during the back-off) is tracked
      // once the worker is back, after waiting through the restart: it belongs before the gap. The
      // first frame grabbed after the crash that did not wait ends the gap.
      const latencyMs = f.timings.latencyMs;
      const grabbedBeforeCrash = performance.now() - latencyMs < this.crash.at;
      const waitedForRestart = this.crash.restartDelayMs > 0 && latencyMs >= this.crash.restartDelayMs;
      if (grabbedBeforeCrash || waitedForRestart) this.openGap.startMs = Math.max(this.openGap.startMs, timeMs);
      else {
        this.openGap.endMs = timeMs;
        this.openGap = undefined;
      }
    }
    const eyes = frameGaze(f);
    // The store copies the values: nothing of the FaceFrame is kept but the last one (its shape and camera).
    this.frames.push({ timeMs, videoTime: f.videoTime, pose: f.pose, expression: f.expression, ...(f.arkit ? { arkit: f.arkit } : {}), ...(f.jointRotations ? { jointRotations: f.jointRotations } : {}), ...(eyes ? { eyes } : {}) });
    this.last = f;
  }
}
