import { TrackerError } from '../../core/errors.js';

/** Why a `calibrateNeutral()` call failed (`calibration-failed`'s `details.reason`). */
export type CalibrationFailure = 'stopped' | 'no-face' | 'worker-crashed';

/**
 * The `FaceTracker.calibrateNeutral()` calls waiting for the worker to record the user's resting
 * face. They resolve together with the recording. They give up together when the tracker stops,
 * its worker crashes, or the face stays away as long as the recording takes (`framesToRecord`
 * frames without a face since the last call: the user is not there to rest), and then the
 * resting face in use before the first of them (`previous`) is what the tracker goes back to.
 */
export class PendingCalibrations {
  private waiters: Waiter[] = [];
  private framesWithoutFace = 0;
  /** The resting weights in use before the first waiting call (undefined: none had been recorded). */
  previous?: number[];

  constructor(private readonly framesToRecord: number) {}

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /**
   * A call that asks the worker to record: it fails with the others from now on, and waits for a
   * recording once `arm()`ed, when the worker has started it (a recording reported before, e.g.
   * the one after start, is not this call's). `previous`: the weights in use before it, kept from
   * the first waiting call.
   */
  wait(previous: number[] | undefined): { done: Promise<number[]>; arm(): void } {
    if (!this.waiting) this.previous = previous;
    const waiter = { armed: false } as Waiter;
    const done = new Promise<number[]>((resolve, reject) => Object.assign(waiter, { resolve, reject }));
    // Rejected by dispose() or stop() before its caller awaits it: not an unhandled rejection.
    done.catch(() => undefined);
    this.waiters.push(waiter);
    return {
      done,
      arm: () => {
        waiter.armed = true;
        this.framesWithoutFace = 0;
      },
    };
  }

  /** The recording finished: the armed calls resolve with its weights. */
  recorded(weights: number[]): void {
    const armed = this.waiters.filter((w) => w.armed);
    this.waiters = this.waiters.filter((w) => !w.armed);
    for (const waiter of armed) waiter.resolve([...weights]);
  }

  /** A frame came back without a face; true when that makes the waiting calls give up (`reject` them with `failure('no-face')`). */
  faceMissing(): boolean {
    return this.waiters.some((w) => w.armed) && ++this.framesWithoutFace >= this.framesToRecord;
  }

  /** Rejects every waiting call with `error`. */
  reject(error: TrackerError): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** The `calibration-failed` error for `reason`, saying what the app can do. */
  failure(reason: CalibrationFailure, cause?: TrackerError): TrackerError {
    const why = {
      stopped: 'the tracker stopped (stop(), or its camera or video ended)',
      'no-face': `no face was found in ${this.framesToRecord} frames (as many as the recording takes): ask the user to look at the camera`,
      'worker-crashed': 'the tracking worker crashed (it was restarted)',
    }[reason];
    const kept = this.previous ? 'the resting face recorded before stays in use' : 'the recording goes on with the next frames with a face';
    return new TrackerError('calibration-failed', `calibrateNeutral() ended before the resting face was recorded: ${why}; ${kept}. Call calibrateNeutral() again while the face is tracked.`, { reason }, cause ? { cause } : undefined);
  }
}

interface Waiter {
  armed: boolean;
  resolve(weights: number[]): void;
  reject(error: TrackerError): void;
}
