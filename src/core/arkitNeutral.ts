import { ARKIT_BLENDSHAPES } from './arkit.js';
import { TrackerError } from './errors.js';

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
  /** Whether the resting face was given (kept for a new person) rather than recorded. */
  private readonly given: boolean;

  /** @param frames frames to record (≥ 1) when no `neutral` is given */
  constructor(
    private readonly frames: number,
    neutral?: ArrayLike<number>,
  ) {
    if (!Number.isInteger(frames) || frames < 1) throw new TrackerError('invalid-input', `The fitter option neutral.frames must be a whole number of frames ≥ 1, got ${frames}.`);
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

  private setNeutral(neutral: ArrayLike<number>): void {
    if (neutral.length !== ARKIT_BLENDSHAPES.length || !Array.prototype.every.call(neutral, Number.isFinite)) throw new TrackerError('invalid-input', `The fitter option neutral.weights must hold ${ARKIT_BLENDSHAPES.length} finite ARKit weights (ARKIT_BLENDSHAPES order, as FaceFitter.neutralWeights gives them); got ${neutral.length} values.`);
    // Below 1, or a shape the user holds fully at rest could not be read at all.
    this.neutral = Float32Array.from(neutral, (n) => Math.min(0.95, Math.max(0, n)));
  }

  /** Takes the user's resting face out of `weights` (in place), or records it; returns `weights`. */
  apply(weights: Float32Array): Float32Array {
    if (!this.neutral) {
      this.recorded.push(Float32Array.from(weights));
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
