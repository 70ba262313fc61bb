import { OneEuroFilter } from '../smoothing/OneEuroFilter.js';
import { landmarkBounds } from './landmarkBounds.js';

/** A square face crop in frame pixels: top-left corner and side. */
export interface FaceCrop {
  x: number;
  y: number;
  size: number;
}

export interface FaceCropOptions {
  /** Side of the crop relative to the larger side of the landmarks' bounding box. */
  scale: number;
  /** One Euro cutoff at rest (Hz) and speed gain for the crop's centre and size; speed is measured in crop sizes per second. */
  minCutoff: number;
  beta: number;
}

const DEFAULTS: FaceCropOptions = { scale: 1.4, minCutoff: 1, beta: 2 };

/**
 * The square crop a ViT prior sees: centred on the landmarks' bounding box, `scale` times its
 * larger side, smoothed over time so the crop does not jitter with the landmarks.
 */
export class FaceCropTracker {
  private readonly options: FaceCropOptions;
  private readonly filter: OneEuroFilter;
  private readonly smoothed = new Float64Array(3);
  private lastTimeMs = NaN;

  constructor(options: Partial<FaceCropOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.filter = new OneEuroFilter(3, { minCutoff: this.options.minCutoff, beta: this.options.beta, dCutoff: 1 }, true);
  }

  /** The crop for these landmarks ([count][2] px) at `timeMs`. */
  update(landmarks: Float32Array, timeMs: number): FaceCrop {
    const { minX, minY, maxX, maxY } = landmarkBounds(landmarks);
    const size = this.options.scale * Math.max(maxX - minX, maxY - minY);
    const dt = Number.isNaN(this.lastTimeMs) ? 0 : (timeMs - this.lastTimeMs) / 1000;
    this.lastTimeMs = timeMs;
    this.filter.filter([(minX + maxX) / 2, (minY + maxY) / 2, size], dt, this.smoothed, Math.max(this.smoothed[2]!, 1));
    const [cx, cy, side] = this.smoothed;
    return { x: cx! - side! / 2, y: cy! - side! / 2, size: side! };
  }

  reset(): void {
    this.filter.reset();
    this.lastTimeMs = NaN;
  }
}
