import { ARKIT_BLENDSHAPES } from './arkit.js';
import { TrackerError } from './errors.js';

/** Frames a resting face is recorded over when `FaceFitterOptions.neutral.frames` is not given (1 s at 30 fps). */
export const DEFAULT_NEUTRAL_FRAMES = 30;

/**
 * Throws `invalid-input` for `neutral` options a calibration cannot use, saying what to pass:
 * `frames` a whole number ≥ 1, `weights` 52 finite ARKit weights. The page checks them before it
 * starts the worker (`FaceTracker.create`), the worker again in `NeutralCalibration`.
 */
export function assertNeutralOptions(options: { frames?: number; weights?: ArrayLike<number> }): void {
  const { frames = DEFAULT_NEUTRAL_FRAMES, weights } = options;
  if (!Number.isInteger(frames) || frames < 1) throw new TrackerError('invalid-input', `The fitter option neutral.frames must be a whole number of frames ≥ 1, got ${frames}.`);
  if (weights === undefined) return;
  const expected = `The fitter option neutral.weights must hold ${ARKIT_BLENDSHAPES.length} finite ARKit weights (ARKIT_BLENDSHAPES order, as FaceTracker.neutralWeights, the 'neutral-recorded' event or FaceFitter.neutralWeights give them)`;
  if (typeof weights !== 'object' || typeof weights.length !== 'number') throw new TrackerError('invalid-input', `${expected}; got ${String(weights)}.`);
  if (weights.length !== ARKIT_BLENDSHAPES.length) throw new TrackerError('invalid-input', `${expected}; got ${weights.length} values.`);
  const bad = Array.prototype.findIndex.call(weights, (w: unknown) => typeof w !== 'number' || !Number.isFinite(w));
  if (bad >= 0) throw new TrackerError('invalid-input', `${expected}; weights[${bad}] (${ARKIT_BLENDSHAPES[bad]}) is ${String(weights[bad])}.`, { index: bad });
}

/**
 * A user's resting face, taken out of their ARKit-52 weights (`FaceFitterOptions.neutral`): each
 * weight w becomes (w − n) / (1 − n), clamped to [0, 1], with n the user's own weight at rest,
 * so their neutral face reads 0 and a full shape still reads 1. n is either given or recorded:
 * the median of each weight over the first `frames` frames the calibration sees (the user
 * relaxed, looking at the camera); until then weights pass unchanged.
 */
export class NeutralCalibration {
  private neutral?: Float32Array;
  private readonly recorded: Float32Array[] = [];
  /** The frame time (ms) of the last sample recorded. */
  private lastTimeMs = NaN;
  /** Whether the resting face was given (kept for a new person) rather than recorded. */
  private readonly given: boolean;

  /** @param frames frames to record (≥ 1) when no `neutral` is given */
  constructor(
    private readonly frames: number,
    neutral?: ArrayLike<number>,
  ) {
    assertNeutralOptions({ frames, weights: neutral });
    this.given = neutral !== undefined;
    if (neutral) this.setNeutral(neutral);
  }

  /** The resting weights in use (ARKIT_BLENDSHAPES order); undefined while recording. */
  get weights(): Float32Array | undefined {
    return this.neutral;
  }

  /** Records the resting face afresh from the next `frames` frames. */
  recalibrate(): void {
    this.neutral = undefined;
    this.recorded.length = 0;
  }

  /** A new person: their resting face is recorded afresh, unless one was given. */
  newPerson(): void {
    if (!this.given) this.recalibrate();
  }

  /**
   * Uses `neutral` from now on, ending a recording in progress: a resting face this user had
   * before (a recalibration given up, a restarted worker). Unlike a given one, a new person still
   * records theirs afresh unless one was given at construction.
   */
  restore(neutral: ArrayLike<number>): void {
    assertNeutralOptions({ weights: neutral });
    this.recorded.length = 0;
    this.setNeutral(neutral);
  }

  private setNeutral(neutral: ArrayLike<number>): void {
    // Below 1, or a shape the user holds fully at rest could not be read at all.
    this.neutral = Float32Array.from(neutral, (n) => Math.min(0.95, Math.max(0, n)));
  }

  /**
   * Takes the user's resting face out of `weights` (in place), or records it; returns `weights`.
   * `timeMs`: the frame's; a second fit of the same frame (the tracker retrying a fit left far
   * from the points) replaces that frame's sample rather than adding one.
   */
  apply(weights: Float32Array, timeMs: number): Float32Array {
    if (!this.neutral) {
      if (timeMs === this.lastTimeMs) this.recorded.pop();
      this.lastTimeMs = timeMs;
      // A diverged solve's weights (retried by the tracker) are no sample of the resting face.
      if (weights.every(Number.isFinite)) this.recorded.push(Float32Array.from(weights));
      if (this.recorded.length >= this.frames) this.setNeutral(medians(this.recorded));
      return weights;
    }
    for (let i = 0; i < weights.length; i++) {
      const n = this.neutral[i]!;
      weights[i] = Math.min(1, Math.max(0, (weights[i]! - n) / (1 - n)));
    }
    return weights;
  }
}

function medians(samples: Float32Array[]): Float32Array {
  const column = new Float32Array(samples.length);
  return Float32Array.from(samples[0]!, (_, i) => {
    samples.forEach((s, k) => (column[k] = s[i]!));
    return column.sort()[samples.length >> 1]!;
  });
}
