/**
 * Which of two series follows an independent measure better, for `npm run bench -- shapeJudge`:
 * partial correlations (head pose taken out of all three series by least squares) and a
 * moving-block bootstrap of their difference (frames are not independent: a blink spans several).
 */
import { choleskyFactor, choleskySolve } from '../../src/core/fit/cholesky.js';
import { quantile } from '../../src/core/math/quantile.js';
import { correlation } from '../blendshapeMetrics.js';

/** The verdict's thresholds. */
export const JUDGE_RULES = {
  /** The better of the two partial correlations with the measure must reach this, or the measure does not see the shape. */
  measureSees: 0.3,
  /** Bootstrap resamples, samples per block, and the two-sided confidence of the difference's interval. */
  resamples: 2000,
  blockLength: 5,
  confidence: 0.95,
} as const;

/** Head-pose covariates of a frame: yaw and pitch (radians) and their squares (2D lengths go as cos and sin). */
export function poseCovariates(yawRad: number, pitchRad: number): number[] {
  return [yawRad, pitchRad, yawRad * yawRad, pitchRad * pitchRad];
}

/** `y` less its least-squares fit on an intercept and `covariates` (per sample, each the same length). */
export function residualise(y: readonly number[], covariates: readonly (readonly number[])[]): number[] {
  const n = y.length, k = (covariates[0]?.length ?? 0) + 1;
  const row = (t: number) => [1, ...covariates[t]!];
  const normal = new Float64Array(k * k), rhs = new Float64Array(k);
  for (let t = 0; t < n; t++) {
    const x = row(t);
    for (let i = 0; i < k; i++) {
      rhs[i] += x[i]! * y[t]!;
      for (let j = 0; j < k; j++) normal[i * k + j] += x[i]! * x[j]!;
    }
  }
  // A tiny ridge keeps a clip without pitch motion (a constant column) solvable.
  for (let i = 0; i < k; i++) normal[i * k + i] += 1e-9 * (normal[i * k + i]! + 1);
  if (!choleskyFactor(normal, k)) throw new Error('residualise: singular covariates');
  choleskySolve(normal, k, rhs);
  return y.map((v, t) => v - row(t).reduce((s, x, i) => s + x * rhs[i]!, 0));
}

/** Correlation of `a` and `b` with the covariates taken out of both. */
export function partialCorrelation(a: readonly number[], b: readonly number[], covariates: readonly (readonly number[])[]): number {
  return correlation(residualise(a, covariates), residualise(b, covariates));
}

/** A deterministic generator (mulberry32) in [0, 1): the bench's figures repeat. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Sample indices of one moving-block bootstrap resample of `n` samples. */
function blockResample(n: number, next: () => number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const start = Math.floor(next() * Math.max(1, n - JUDGE_RULES.blockLength + 1));
    for (let i = start; i < Math.min(n, start + JUDGE_RULES.blockLength) && out.length < n; i++) out.push(i);
  }
  return out;
}

export type Verdict = 'mediapipe wrong' | 'fit wrong' | 'undecided';

export interface Judgement {
  /** Partial correlations (pose out) of MediaPipe's score and of the fitted weight with the measure. */
  mediapipeWithMeasure: number;
  fittedWithMeasure: number;
  /** The bootstrap interval of fittedWithMeasure − mediapipeWithMeasure. */
  differenceLow: number;
  differenceHigh: number;
  verdict: Verdict;
}

/**
 * Judges MediaPipe's score against the fitted weight by how well each follows `measure` (per
 * sample, with the pose `covariates`): the one whose partial correlation is higher, where the
 * bootstrap interval of the difference excludes 0 and the measure sees the shape (the better
 * correlation reaches `measureSees`); else undecided.
 */
export function judge(mediapipe: readonly number[], fitted: readonly number[], measure: readonly number[], covariates: readonly (readonly number[])[], seed = 1): Judgement {
  const pick = <T>(values: readonly T[], idx: readonly number[]) => idx.map((i) => values[i]!);
  const both = (idx: readonly number[]) => {
    const c = pick(covariates, idx), m = residualise(pick(measure, idx), c);
    return [correlation(residualise(pick(mediapipe, idx), c), m), correlation(residualise(pick(fitted, idx), c), m)] as const;
  };
  const all = Array.from(measure, (_, i) => i);
  const [mediapipeWithMeasure, fittedWithMeasure] = both(all);
  const next = random(seed), differences: number[] = [];
  for (let r = 0; r < JUDGE_RULES.resamples; r++) {
    const [m, f] = both(blockResample(measure.length, next));
    if (Number.isFinite(m) && Number.isFinite(f)) differences.push(f - m);
  }
  const tail = (1 - JUDGE_RULES.confidence) / 2;
  const differenceLow = quantile(differences, tail), differenceHigh = quantile(differences, 1 - tail);
  const sees = Math.max(mediapipeWithMeasure, fittedWithMeasure) >= JUDGE_RULES.measureSees;
  const verdict: Verdict = !sees ? 'undecided' : differenceLow > 0 ? 'mediapipe wrong' : differenceHigh < 0 ? 'fit wrong' : 'undecided';
  return { mediapipeWithMeasure, fittedWithMeasure, differenceLow, differenceHigh, verdict };
}
