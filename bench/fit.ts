/**
 * The real-time fitter on synthetic scenes of the bundled default model (see
 * test/fit/defaultModelTracking.test.ts for the scenes): speed with warm starts, the speedup over
 * the reference tracker's optimizer (Adam, 200 steps a frame) on the same energies, and how well
 * tracking recovers the true face.
 *
 *   npm run bench -- fit
 *
 * Last line: {"fit_ms_p50", "fit_ms_p95", "fit_dense_ms_p95", "adam_speedup", "recovery_err_mm_median",
 * "recovery_err_mm_noisy", "dense_recovery_err_mm", ...}. Timings: performance.now() around
 * `fit()`, single thread, after warm-up, on frames tracked after identity froze (identity frames,
 * a second or so at the start, are reported apart), each frame's the least of three runs
 * (`_single_run`: one run's). Errors: median over the fitting region (mm)
 * after similarity alignment, median of the last 10 of 60 tracked frames; `_raw` without the
 * alignment (absolute scale is not observable from one camera).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { AdamReference, type AdamLearningRates } from './fit/AdamReference.js';
import { FaceFitter, type SolvedFrame } from '../src/core/fit/FaceFitter.js';
import type { FaceFitterOptions } from '../src/core/fit/FaceFitterOptions.js';
import { FrameState } from '../src/core/fit/FrameState.js';
import type { FrameObservation } from '../src/core/fit/types.js';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { selectCandidateVertices } from '../src/workers/tracking/prior/candidateVertices.js';
import { SceneKit, TEST_CAMERA } from '../test/fit/utils/fitHarness.js';
import { quantile } from '../src/core/math/quantile.js';

const model = await readFaceModel(new Uint8Array(readFileSync(new URL('../models/face-default.glb', import.meta.url))));
const kit = new SceneKit(model);
const options: FaceFitterOptions = { focalPx: TEST_CAMERA.focalPx };
const log = (...args: unknown[]) => console.log('#', ...args);

// --- Accuracy: track 60 frames from neutral. ---
const truths = kit.sequence(60, 3);
const exact = kit.track(truths, options);
const noisy = kit.track(truths, options, { noise: { sigmaPx: 1 } });
const dense = kit.track(truths, options, { mapSize: 256 });
log('recovery (aligned / raw mm):', { exact: [exact.finalErrorMm, exact.finalRawErrorMm], noisy: [noisy.finalErrorMm, noisy.finalRawErrorMm], dense: [dense.finalErrorMm, dense.finalRawErrorMm] });

// --- Speed: a long sequence; the first 60 frames estimate and freeze identity, the rest are timed. ---
const TIMED = 300;
const long = kit.sequence(60 + TIMED, 17);
const landmarkFrames = long.map((truth, t) => kit.observe(truth, t));
// ~2,000 correspondences: more candidates than that, since some fall outside the view or behind the nose.
const candidates = selectCandidateVertices(model, 4600);
const denseFrames = long.map((truth, t) => kit.observe(truth, t, { mapSize: 256, candidates }));

interface Timing { ms: number[]; identityMs: number[]; denseCounts: number[] }
function time(frames: FrameObservation[], fitterOptions: FaceFitterOptions): Timing {
  const fitter = new FaceFitter(model, fitterOptions);
  const result: Timing = { ms: [], identityMs: [], denseCounts: [] };
  frames.forEach((observation, t) => {
    const frozenBefore = fitter.identityFrozen;
    const t0 = performance.now();
    const fit = fitter.fit(observation);
    const ms = performance.now() - t0;
    if (t < 60) {
      if (!frozenBefore && t > 0) result.identityMs.push(ms);
      return;
    }
    result.ms.push(ms);
    result.denseCounts.push(fit.stats.denseCount);
  });
  if (!fitter.identityFrozen) throw new Error('identity did not freeze within the warm-up frames');
  return result;
}
/**
 * Per-frame times as the minimum over `REPEATS` runs of the same (deterministic) tracking: a
 * frame's work is the same each run, and this shared machine only ever adds to its time (a
 * single run's p95 mostly measures the machine's hiccups). Single-run figures are printed too.
 */
const REPEATS = 3;
function timeRepeated(frames: FrameObservation[], fitterOptions: FaceFitterOptions): { best: Timing; single: Timing } {
  const runs = Array.from({ length: REPEATS }, () => time(frames, fitterOptions));
  const best: Timing = { ...runs[0]!, ms: runs[0]!.ms.map((_, i) => Math.min(...runs.map((r) => r.ms[i]!))) };
  best.identityMs = runs[0]!.identityMs.map((_, i) => Math.min(...runs.map((r) => r.identityMs[i]!)));
  return { best, single: runs[REPEATS - 1]! };
}
time(landmarkFrames.slice(0, 120), options); // JIT warm-up
const { best: landmarkTiming, single: landmarkSingle } = timeRepeated(landmarkFrames, options);
const { best: denseTiming, single: denseSingle } = timeRepeated(denseFrames, { ...options, maxDense: 2000 });
log('dense correspondences used per frame, median:', quantile(denseTiming.denseCounts, 0.5));

// --- Adam on the same energies: each timed frame's warm start, until it reaches our final energy. ---
// Step sizes: the best of a grid (rotation 2e-4…6e-3 rad, translation 0.02…0.6 mm, expression
// 0.003…0.03) on these frames, by the share of frames on which Adam reached our energy.
const rates: AdamLearningRates = { rotation: 6e-4, translation: 0.06e-3 / model.metersPerUnit, joints: 2e-3, expression: 0.01 };
let oursMs = 0, adamMs = 0, reached = 0, adamFrames = 0;
const adamSteps: number[] = [];
const fitter = new FaceFitter(model, options);
fitter.onSolved = (frame: SolvedFrame) => {
  if (!fitter.identityFrozen) return;
  const adam = new AdamReference(frame.energy, rates);
  const state = new FrameState(frame.energy.layout).copyFrom(frame.start);
  const run = adam.solve(frame.energy, state, 200, frame.result.energy);
  oursMs += frame.solveMs;
  adamMs += run.msToTarget ?? run.ms;
  adamFrames++;
  if (run.stepsToTarget !== undefined) {
    reached++;
    adamSteps.push(run.stepsToTarget);
  }
};
landmarkFrames.slice(0, 60 + 100).forEach((observation) => fitter.fit(observation));
log(`adam: reached our energy on ${reached}/${adamFrames} frames (median ${adamSteps.length ? quantile(adamSteps, 0.5) : '-'} steps); unreached frames count their full 200 steps`);

// Calibration: a latency-bound multiply-add loop, to compare this machine with others.
const a = new Float64Array(4096).fill(1.0001), b = new Float64Array(4096).fill(0.9999);
let best = Infinity, sink = 0;
for (let rep = 0; rep < 20; rep++) {
  const t0 = performance.now();
  for (let k = 0; k < 200; k++) for (let i = 0; i < 4096; i++) sink += a[i]! * b[i]!;
  best = Math.min(best, ((performance.now() - t0) * 1e6) / (200 * 4096));
}
if (sink === 0) log('unreachable');

const round = (v: number, digits = 3) => Number(v.toFixed(digits));
console.log(
  JSON.stringify({
    fit_ms_p50: round(quantile(landmarkTiming.ms, 0.5)),
    fit_ms_p95: round(quantile(landmarkTiming.ms, 0.95)),
    fit_dense_ms_p95: round(quantile(denseTiming.ms, 0.95)),
    adam_speedup: round(adamMs / oursMs, 1),
    recovery_err_mm_median: round(exact.finalErrorMm),
    recovery_err_mm_noisy: round(noisy.finalErrorMm),
    dense_recovery_err_mm: round(dense.finalErrorMm),
    fit_dense_ms_p50: round(quantile(denseTiming.ms, 0.5)),
    fit_identity_frame_ms_p50: round(quantile(landmarkTiming.identityMs, 0.5)),
    dense_count_median: quantile(denseTiming.denseCounts, 0.5),
    adam_reached_fraction: round(reached / Math.max(1, adamFrames), 2),
    recovery_err_mm_median_raw: round(exact.finalRawErrorMm),
    recovery_err_mm_noisy_raw: round(noisy.finalRawErrorMm),
    dense_recovery_err_mm_raw: round(dense.finalRawErrorMm),
    fit_ms_p95_single_run: round(quantile(landmarkSingle.ms, 0.95)),
    fit_dense_ms_p95_single_run: round(quantile(denseSingle.ms, 0.95)),
    calibration_madd_ns: round(best, 2),
  }),
);
