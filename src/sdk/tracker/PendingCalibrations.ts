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
  private waiters: { resolve(weights: number[]): void; reject(error: TrackerError): void }[] = [];
  private framesWithoutFace = 0;
  /** The resting weights in use before the first waiting call (undefined: none had been recorded). */
  previous?: number[];

  constructor(private readonly framesToRecord: number) {}

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** Waits for the recording a call just started; `previous`: the weights in use before it, kept from the first waiting call. */
  wait(previous: number[] | undefined): Promise<number[]> {
    if (!this.waiting) this.previous = previous;
    this.framesWithoutFace = 0;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The recording finished: every waiting call resolves with its weights. */
  recorded(weights: number[]): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve([...weights]);
  }

  /** A frame came back without a face; true when that makes the waiting calls give up (`fail('no-face')` is then up to the caller). */
  faceMissing(): boolean {
    return this.waiting && ++this.framesWithoutFace >= this.framesToRecord;
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
