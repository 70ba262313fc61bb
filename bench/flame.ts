/**
 * `npm run bench -- flame [flame.glb]`: the fitter on a FLAME model (yours, imported with
 * `import-flame`, or by default the FLAME-layout fixture on FLAME's real template that the tests
 * use, built once into test-results/bench-flame/), on synthetic scenes of that model: how well
 * tracking recovers the true face from landmarks alone and with the dense terms a prior gives
 * (maps rendered from the truth, normals in the model frame as Pixel3DMM's networks give them),
 * and the fit's time per frame. What the dense terms add is the point: landmarks pin MediaPipe's
 * 478 points, the maps pin the whole face region.
 *
 * Last line: {"recovery_mm_exact", "recovery_mm_noisy", "recovery_mm_noisy_dense", "recovery_mm_dense",
 * "fit_ms_p50", "fit_ms_p95", "fit_dense_ms_p50", "fit_dense_ms_p95", "dense_count_median"}.
 * Errors: median over the fitting region after similarity alignment, mm, median of the last 10 of
 * 60 tracked frames (as `npm run bench -- fit`); noisy: landmarks with σ = 1 px (of a 256 px face).
 * Timings: performance.now() around `fit()`, frames after identity froze.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FaceFitter } from '../src/core/fit/FaceFitter.js';
import type { FaceFitterOptions } from '../src/core/fit/FaceFitterOptions.js';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { flameFixtureModel } from '../test/flame/flameFixtureModel.js';
import { SceneKit, TEST_CAMERA } from '../test/fit/utils/fitHarness.js';
import { quantile } from '../src/core/math/quantile.js';

const log = (...args: unknown[]) => console.log('#', ...args);

const path = process.argv[2] ?? (await flameFixtureModel());
const model = await readFaceModel(new Uint8Array(readFileSync(path)));
log(`${path}: ${model.vertexCount} vertices, ${model.expression.names.length} expressions, joints ${model.skeleton?.jointNames.join(', ') ?? 'none'}`);
const kit = new SceneKit(model);
const options: FaceFitterOptions = { focalPx: TEST_CAMERA.focalPx };

// --- Recovery over 60 tracked frames. ---
const truths = kit.sequence(60, 3);
const dense = { mapSize: 256, normalsSpace: 'model' as const };
const recovery = {
  exact: kit.track(truths, options).finalErrorMm,
  noisy: kit.track(truths, options, { noise: { sigmaPx: 1 } }).finalErrorMm,
  noisyDense: kit.track(truths, options, { noise: { sigmaPx: 1 }, ...dense }).finalErrorMm,
  dense: kit.track(truths, options, dense).finalErrorMm,
};
log('recovery, median mm over the fitting region:', recovery);

// --- Time per frame: identity freezes in the first 60 frames, the next 200 are timed. ---
const long = kit.sequence(260, 17);
function time(withDense: boolean): { ms: number[]; denseCounts: number[] } {
  const fitter = new FaceFitter(model, options);
  const ms: number[] = [], denseCounts: number[] = [];
  long.forEach((truth, t) => {
    const observation = kit.observe(truth, t, withDense ? dense : {});
    const started = performance.now();
    const fit = fitter.fit(observation);
    if (t >= 60) {
      ms.push(performance.now() - started);
      denseCounts.push(fit.stats.denseCount);
    }
  });
  return { ms, denseCounts };
}
const landmarks = time(false), withDense = time(true);
const round = (v: number) => +v.toFixed(3);
log(`fit per frame, landmarks: p50 ${quantile(landmarks.ms, 0.5).toFixed(2)} ms, p95 ${quantile(landmarks.ms, 0.95).toFixed(2)} ms; with dense: p50 ${quantile(withDense.ms, 0.5).toFixed(2)} ms, p95 ${quantile(withDense.ms, 0.95).toFixed(2)} ms`);
console.log(
  JSON.stringify({
    recovery_mm_exact: round(recovery.exact),
    recovery_mm_noisy: round(recovery.noisy),
    recovery_mm_noisy_dense: round(recovery.noisyDense),
    recovery_mm_dense: round(recovery.dense),
    fit_ms_p50: round(quantile(landmarks.ms, 0.5)),
    fit_ms_p95: round(quantile(landmarks.ms, 0.95)),
    fit_dense_ms_p50: round(quantile(withDense.ms, 0.5)),
    fit_dense_ms_p95: round(quantile(withDense.ms, 0.95)),
    dense_count_median: quantile(withDense.denseCounts, 0.5),
  }),
);
