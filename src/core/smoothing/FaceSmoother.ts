import { OneEuroFilter, OneEuroRotationFilter, type OneEuroParams } from './OneEuroFilter.js';
import type { FaceFit } from '../fit/types.js';

/**
 * One Euro parameters per parameter group. Speeds are measured in: rad/s (rotation, joints),
 * distances/s (translation: its change divided by the head's distance, so any units work),
 * units/s (expression coefficients and ARKit weights, per coefficient).
 */
export interface FaceSmootherOptions {
  /** false: pass every fit through unchanged (zero lag). Default true. */
  enabled?: boolean;
  rotation?: Partial<OneEuroParams>;
  translation?: Partial<OneEuroParams>;
  expression?: Partial<OneEuroParams>;
  /** The ARKit-52 weights (`arkit`), apart from the expression coefficients that move the mesh. */
  arkit?: Partial<OneEuroParams>;
  joints?: Partial<OneEuroParams>;
}

/**
 * The head pose's filters were 0.8 Hz at rest (beta 20 and 40): their lag in motion cost more
 * than the noise they removed. On the accuracy benchmark's tuning clips (sample, portrait, ex1,
 * ex2) the fitted points' NME over MediaPipe's fell 1.08/1.21/1.10 → 1.06/1.11/1.06 at 3 Hz
 * (beta 40 and 80) with every-frame jitter 0.80–0.84 → 0.83–0.87 of MediaPipe's; a small head
 * turn (0.03 rad) reaches 90 % in 2 frames instead of 3 (`npm run bench -- smoothing`). The
 * expression's filter costs the NME little (ex1: 1.21 → 1.20 with it off) and is left as it was.
 * The ARKit weights had the expression's filter, which lags a small step (0.1) 4 frames: speech's
 * brief mouth shapes lost their correlation with an independent measure (face-api's points, `npm run
 * bench -- shapeJudge`: ex1's mouthUpperUpLeft 0.51 before the filter, 0.32 after) and with
 * MediaPipe's score. Beta 30 (the same rest cutoff) follows that step in 1 frame at a rest jitter
 * ratio of 0.33, the head pose's; on the tune clips (sample, ex1, ex2) the moving shapes under r 0.8
 * with MediaPipe fall from 5 to 2, as with no ARKit filter at all (beta 10: 3).
 */
export const DEFAULT_SMOOTHING: Required<Omit<FaceSmootherOptions, 'enabled'>> = {
  rotation: { minCutoff: 3, beta: 40, dCutoff: 1 },
  translation: { minCutoff: 3, beta: 80, dCutoff: 1 },
  expression: { minCutoff: 1.5, beta: 3, dCutoff: 1 },
  arkit: { minCutoff: 1.5, beta: 30, dCutoff: 1 },
  joints: { minCutoff: 1.5, beta: 20, dCutoff: 1 },
};

/**
 * Temporal smoothing of fits: One Euro filters per parameter group, the head rotation on the
 * manifold. Identity, camera and stats pass through (identity is estimated across frames
 * already).
 */
export class FaceSmoother {
  readonly enabled: boolean;
  private readonly params: { [K in keyof typeof DEFAULT_SMOOTHING]: OneEuroParams };
  private rotation: OneEuroRotationFilter;
  private translation?: OneEuroFilter;
  private expression?: OneEuroFilter;
  private arkit?: OneEuroFilter;
  private joints?: OneEuroFilter;
  private lastTimeMs?: number;

  constructor(options: FaceSmootherOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.params = {
      rotation: { ...DEFAULT_SMOOTHING.rotation, ...options.rotation } as OneEuroParams,
      translation: { ...DEFAULT_SMOOTHING.translation, ...options.translation } as OneEuroParams,
      expression: { ...DEFAULT_SMOOTHING.expression, ...options.expression } as OneEuroParams,
      arkit: { ...DEFAULT_SMOOTHING.arkit, ...options.arkit } as OneEuroParams,
      joints: { ...DEFAULT_SMOOTHING.joints, ...options.joints } as OneEuroParams,
    };
    this.rotation = new OneEuroRotationFilter(this.params.rotation);
  }

  /** Forgets the history: the next fit passes through and starts the filters. */
  reset(): void {
    this.rotation.reset();
    this.translation?.reset();
    this.expression?.reset();
    this.arkit?.reset();
    this.joints?.reset();
    this.lastTimeMs = undefined;
  }

  /** The smoothed fit (a new object; the input is not modified). */
  filter(fit: FaceFit): FaceFit {
    if (!this.enabled) return fit;
    const dt = this.lastTimeMs === undefined ? 0 : (fit.timeMs - this.lastTimeMs) / 1000;
    this.lastTimeMs = fit.timeMs;
    const out: FaceFit = { ...fit, rotation: new Float64Array(3), translation: new Float64Array(3), expression: new Float32Array(fit.expression.length) };
    this.rotation.filter(fit.rotation, dt, out.rotation);
    this.translation = sized(this.translation, 3, this.params.translation, true);
    this.translation.filter(fit.translation, dt, out.translation, Math.hypot(fit.translation[0]!, fit.translation[1]!, fit.translation[2]!) || 1);
    this.expression = sized(this.expression, fit.expression.length, this.params.expression, false);
    this.expression.filter(fit.expression, dt, out.expression);
    if (fit.arkit) {
      this.arkit = sized(this.arkit, fit.arkit.length, this.params.arkit, false);
      out.arkit = new Float32Array(fit.arkit.length);
      this.arkit.filter(fit.arkit, dt, out.arkit);
    }
    if (fit.jointRotations) {
      // Joint rotations stay small (jaw, neck, eyes): filtering their axis-angle components is close to the manifold.
      this.joints = sized(this.joints, fit.jointRotations.length, this.params.joints, false);
      out.jointRotations = new Float32Array(fit.jointRotations.length);
      this.joints.filter(fit.jointRotations, dt, out.jointRotations);
    }
    return out;
  }
}

function sized(filter: OneEuroFilter | undefined, size: number, params: OneEuroParams, coupled: boolean): OneEuroFilter {
  return filter && filter.size === size ? filter : new OneEuroFilter(size, params, coupled);
}
