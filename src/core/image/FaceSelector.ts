import { landmarkBounds, type Bounds2D } from './landmarkBounds.js';

export interface FaceSelectorOptions {
  /** Another face takes over only when its box's area is this many times the tracked face's. */
  switchAreaRatio: number;
  /** …for this many consecutive frames (a face passing by, or a size estimate's noise, does not). */
  switchFrames: number;
  /** The tracked face is the candidate whose box overlaps its last box by at least this IoU. */
  minOverlap: number;
}

const DEFAULTS: FaceSelectorOptions = { switchAreaRatio: 1.3, switchFrames: 10, minOverlap: 0.3 };

/** The face chosen in a frame, and whether it is another one than in the frame before. */
export interface SelectedFace {
  index: number;
  /** A different face than the one tracked before (not the first face after none). */
  switched: boolean;
}

/**
 * Which of several detected faces to track: the largest, with hysteresis. The tracked face is
 * followed by its overlap with its box in the previous frame; another face takes over only when
 * it is clearly larger (`switchAreaRatio`) for `switchFrames` frames in a row, or when the tracked
 * face is gone. So two faces of about the same size never flip-flop.
 */
export class FaceSelector {
  private readonly options: FaceSelectorOptions;
  private tracked: Bounds2D | null = null;
  private largerFor = 0;

  constructor(options: Partial<FaceSelectorOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Picks one of `faces` (each [count][2] landmarks, px); null when there are none. */
  select(faces: readonly ArrayLike<number>[]): SelectedFace | null {
    if (faces.length === 0) {
      this.reset();
      return null;
    }
    const boxes = faces.map(landmarkBounds);
    let largest = 0;
    for (let i = 1; i < boxes.length; i++) if (area(boxes[i]!) > area(boxes[largest]!)) largest = i;
    const previous = this.tracked;
    let current = -1;
    if (previous) {
      let best = this.options.minOverlap;
      for (let i = 0; i < boxes.length; i++) {
        const overlap = intersectionOverUnion(boxes[i]!, previous);
        if (overlap >= best) (best = overlap), (current = i);
      }
    }
    let chosen = current;
    if (current < 0) chosen = largest;
    else if (largest !== current && area(boxes[largest]!) > this.options.switchAreaRatio * area(boxes[current]!)) {
      if (++this.largerFor >= this.options.switchFrames) chosen = largest;
    } else this.largerFor = 0;
    if (chosen !== current) this.largerFor = 0;
    this.tracked = boxes[chosen]!;
    return { index: chosen, switched: previous !== null && chosen !== current };
  }

  /** Forget the tracked face: the next frame takes the largest. */
  reset(): void {
    this.tracked = null;
    this.largerFor = 0;
  }
}

function area(b: Bounds2D): number {
  return Math.max(0, b.maxX - b.minX) * Math.max(0, b.maxY - b.minY);
}

function intersectionOverUnion(a: Bounds2D, b: Bounds2D): number {
  const w = Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX);
  const h = Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (area(a) + area(b) - inter);
}
