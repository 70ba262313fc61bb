/**
 * How honest a clip's ARKit-52 weights are, judged against MediaPipe's own blendshape scores
 * (pure functions over per-frame series; `npm run bench -- blendshapes` and its test use them).
 *
 * Series are per frame, in ARKIT_BLENDSHAPES order (52 weights); MediaPipe's scores are first
 * put in that order by `mediapipeInArkitOrder` (`tongueOut`, which MediaPipe does not score, is
 * NaN there and left out of every comparison).
 */
import { ARKIT_ANTAGONISTS, ARKIT_BLENDSHAPES, mediapipeScoreIndex, type ArkitBlendshape } from '../src/core/arkit.js';
import { quantile } from '../src/core/math/quantile.js';

/** The rules' thresholds. */
export const HONESTY_RULES = {
  /** Resting frames: those whose MediaPipe score sum is at or below this quantile of the clip's. */
  restingQuantile: 0.1,
  /** A shape moves in a clip when MediaPipe's score spans more than this (5th to 95th percentile). */
  movingRange: 0.2,
  /** A weight above this is "active" (antagonists) or "not zero" (a still shape at rest). */
  active: 0.1,
} as const;


const rowOf = (name: ArkitBlendshape) => (ARKIT_BLENDSHAPES as readonly string[]).indexOf(name);

/** MediaPipe's 52 scores (MEDIAPIPE_BLENDSHAPES order) as ARKit-ordered weights; NaN where MediaPipe has no score. */
export function mediapipeInArkitOrder(scores: ArrayLike<number>): Float64Array {
  return Float64Array.from(ARKIT_BLENDSHAPES, (_, row) => {
    const source = mediapipeScoreIndex(row);
    return source >= 0 ? scores[source]! : NaN;
  });
}

/** Sum over the shapes MediaPipe scores (the NaN rows of `mediapipe` are skipped in both). */
export function scoredSum(weights: ArrayLike<number>, mediapipe: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) if (!Number.isNaN(mediapipe[i]!)) sum += weights[i]!;
  return sum;
}

/** Frames whose MediaPipe score sum is in the clip's lowest `restingQuantile` (at least one frame). */
export function restingFrames(mediapipe: readonly ArrayLike<number>[]): number[] {
  const sums = mediapipe.map((m) => scoredSum(m, m));
  const cutoff = quantile(sums, HONESTY_RULES.restingQuantile);
  return sums.flatMap((s, t) => (s <= cutoff ? [t] : []));
}

/** Pearson correlation; NaN when either series is constant. */
export function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    ab += da * db; aa += da * da; bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}

/** Whether a series spans more than `movingRange` between its 5th and 95th percentiles. */
export function moves(series: readonly number[]): boolean {
  return quantile(series, 0.95) - quantile(series, 0.05) > HONESTY_RULES.movingRange;
}

/** Per frame, the antagonist pairs (indices into ARKIT_ANTAGONISTS) with both shapes active. */
export function activeAntagonists(weights: ArrayLike<number>): number[] {
  const out: number[] = [];
  ARKIT_ANTAGONISTS.forEach(([a, b], pair) => {
    if (weights[rowOf(a)]! > HONESTY_RULES.active && weights[rowOf(b)]! > HONESTY_RULES.active) out.push(pair);
  });
  return out;
}

export interface ShapeReport {
  name: ArkitBlendshape;
  /** Whether MediaPipe's score moves in the clip (`moves`). */
  moving: boolean;
  /** The fitted weight's largest value over the clip, and its median over the resting frames. */
  fittedMax: number;
  fittedRest: number;
  mediapipeRest: number;
  /** Correlation of fitted weight and MediaPipe's score over the clip (NaN when either is constant). */
  correlation: number;
}

export interface ClipHonesty {
  frames: number;
  restingFrames: number;
  /** Median over the resting frames of the summed weights (the shapes MediaPipe scores). */
  restSumFitted: number;
  restSumMediapipe: number;
  /** Shapes that do not move in the clip yet rest above `active` (names), and the largest such rest weight. */
  stillShapesAboveActive: ArkitBlendshape[];
  stillShapeRestMax: number;
  /** Median correlation over the moving shapes (NaN when none moves). */
  movingCorrelationMedian: number;
  /** Percentage of frames with at least one antagonist pair both active, fitted and MediaPipe's. */
  antagonistFramesPct: number;
  antagonistFramesPctMediapipe: number;
  shapes: ShapeReport[];
}

/**
 * The clip's honesty figures. `fitted`: per frame the ARKit-52 weights the tracker gave;
 * `mediapipeScores`: per frame MediaPipe's 52 scores in its own order.
 */
export function clipHonesty(fitted: readonly ArrayLike<number>[], mediapipeScores: readonly ArrayLike<number>[]): ClipHonesty {
  const mediapipe = mediapipeScores.map(mediapipeInArkitOrder);
  const resting = restingFrames(mediapipe);
  const median = (values: number[]) => quantile(values, 0.5);
  const shapes: ShapeReport[] = [];
  ARKIT_BLENDSHAPES.forEach((name, row) => {
    if (Number.isNaN(mediapipe[0]![row]!)) return;
    const f = fitted.map((w) => w[row]!), m = mediapipe.map((w) => w[row]!);
    shapes.push({
      name,
      moving: moves(m),
      fittedMax: Math.max(...f),
      fittedRest: median(resting.map((t) => f[t]!)),
      mediapipeRest: median(resting.map((t) => m[t]!)),
      correlation: correlation(f, m),
    });
  });
  const still = shapes.filter((s) => !s.moving);
  const stillAbove = still.filter((s) => s.fittedRest > HONESTY_RULES.active);
  const movingCorrelations = shapes.filter((s) => s.moving && !Number.isNaN(s.correlation)).map((s) => s.correlation);
  const pct = (series: readonly ArrayLike<number>[]) => (100 * series.filter((w) => activeAntagonists(w).length > 0).length) / series.length;
  return {
    frames: fitted.length,
    restingFrames: resting.length,
    restSumFitted: median(resting.map((t) => scoredSum(fitted[t]!, mediapipe[t]!))),
    restSumMediapipe: median(resting.map((t) => scoredSum(mediapipe[t]!, mediapipe[t]!))),
    stillShapesAboveActive: stillAbove.map((s) => s.name),
    stillShapeRestMax: Math.max(0, ...still.map((s) => s.fittedRest)),
    movingCorrelationMedian: movingCorrelations.length > 0 ? median(movingCorrelations) : NaN,
    antagonistFramesPct: pct(fitted),
    antagonistFramesPctMediapipe: pct(mediapipe),
    shapes,
  };
}
