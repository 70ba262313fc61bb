/**
 * `npm run bench -- blendshapes [fresh] [--model face.glb] [--fitter '{"weights":{…}}']`: how honest the ARKit-52 weights of the
 * default model (or another with a MediaPipe embedding: a FLAME import, through its projection) are
 * against MediaPipe's own scores (bench/blendshapeMetrics.ts: resting sums, still shapes at rest,
 * correlation of moving shapes, antagonist pairs), on six clips: the sample video and
 * pixel3dmm-ex1..5 (bench/blendshapeClips.ts; ex3–ex5 held back: never tuned on).
 *
 * MediaPipe's points and scores are recorded once per clip by `track` (needs `npm run build`),
 * then replayed in Node through `FaceFitter` and `FaceSmoother` as the tracking worker runs them
 * (a frame without a face: `faceLost` and a smoother reset). Also the landmark RMS (px, median
 * over frames) and the fit's time (performance.now() around `fit()`, p95 over every frame of
 * every clip, after a warm-up pass), so a change to the weights can be weighed against both
 * (`--fitter`: fitter options to try instead of the defaults).
 *
 * The same figures for the settings before (`BEFORE_HONEST_BLENDSHAPES`: a weaker, marginless prior on the non-eye
 * shapes, antagonists kept) come last, as `before_*` and ratios.
 *
 * Per-clip lines start with '#'. Last line: {"rest_arkit_sum_median", "rest_arkit_sum_mediapipe_median"
 * (medians over the clips), "still_shapes_above_active" (count over the clips), "arkit_corr_median"
 * (held-back clips' moving shapes), "arkit_corr_median_tuned", "antagonist_frames_pct",
 * "antagonist_frames_pct_mediapipe", "landmark_rms_px_median", "fit_ms_p95", …}.
 */
import { readFileSync } from 'node:fs';
import type { FaceFitterOptions } from '../src/core/fit/FaceFitterOptions.js';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { CLIPS, clipRecords, recordedFrame, type Clip } from './blendshapeClips.js';
import { clipHonesty, type ClipHonesty } from './blendshapeMetrics.js';
import { BEFORE_HONEST_BLENDSHAPES, replay, type RecordedFrame, type Replay } from './blendshapeReplay.js';
import { quantile } from '../src/core/math/quantile.js';

const root = new URL('..', import.meta.url).pathname;

const args = process.argv.slice(2);
const fresh = args.includes('fresh');
const modelPath = args.includes('--model') ? args[args.indexOf('--model') + 1]! : `${root}models/face-default.glb`;
const fitterOptions = args.includes('--fitter') ? (JSON.parse(args[args.indexOf('--fitter') + 1]!) as FaceFitterOptions) : {};
const model = await readFaceModel(new Uint8Array(readFileSync(modelPath)));
const clips: { clip: Clip; frames: RecordedFrame[] }[] = [];
for (const clip of CLIPS) clips.push({ clip, frames: (await clipRecords(clip, fresh)).map(recordedFrame) });
replay(model, clips[0]!.frames, clips[0]!.clip.width, clips[0]!.clip.height); // JIT warm-up
const evaluate = (options: FaceFitterOptions) =>
  clips.map(({ clip, frames }) => {
    const run = replay(model, frames, clip.width, clip.height, options);
    return { clip, run, honesty: clipHonesty(run.arkit, run.mediapipe) };
  });
const results: { clip: Clip; honesty: ClipHonesty; run: Replay }[] = evaluate(fitterOptions);
const before = evaluate(BEFORE_HONEST_BLENDSHAPES);

const round = (v: number, digits = 2) => Number(v.toFixed(digits));
const median = (values: number[]) => quantile(values, 0.5);
/** The resting weight of both eyes' `shape` (e.g. 'eyeLookUp'), fitted and MediaPipe's, mean of left and right. */
const restOf = (h: ClipHonesty, shape: string) => {
  const eyes = h.shapes.filter((s) => s.name === `${shape}Left` || s.name === `${shape}Right`);
  const mean = (key: 'fittedRest' | 'mediapipeRest') => (eyes.reduce((sum, s) => sum + s[key], 0) / eyes.length).toFixed(2);
  return `${mean('fittedRest')} (${mean('mediapipeRest')})`;
};
console.log('# clip                 frames rest  sum_fit sum_mp  still>0.1  corr_med  antag%_fit antag%_mp  rms_px (before)  iris_rms_px  eyeLookUp_rest (MediaPipe)');
for (const [i, { clip, honesty: h, run }] of results.entries()) {
  console.log(
    `# ${(clip.name + (clip.heldBack ? '*' : '')).padEnd(20)} ${String(h.frames).padStart(6)} ${String(h.restingFrames).padStart(4)}  ${h.restSumFitted.toFixed(2).padStart(7)} ${h.restSumMediapipe.toFixed(2).padStart(6)}  ${String(h.stillShapesAboveActive.length).padStart(9)}  ${h.movingCorrelationMedian.toFixed(2).padStart(8)}  ${h.antagonistFramesPct.toFixed(1).padStart(10)} ${h.antagonistFramesPctMediapipe.toFixed(1).padStart(9)}  ${median(run.rmsPx).toFixed(2).padStart(6)} (${median(before[i]!.run.rmsPx).toFixed(2)})  ${median(run.irisRmsPx).toFixed(2).padStart(11)}  ${restOf(h, 'eyeLookUp')}`,
  );
  const moving = h.shapes.filter((s) => s.moving).map((s) => `${s.name} ${s.correlation.toFixed(2)}`);
  console.log(`#   moving (corr): ${moving.join(', ') || 'none'}`);
  if (h.stillShapesAboveActive.length > 0) console.log(`#   still shapes resting above 0.1: ${h.shapes.filter((s) => !s.moving && s.fittedRest > 0.1).map((s) => `${s.name} ${s.fittedRest.toFixed(2)} (MediaPipe ${s.mediapipeRest.toFixed(2)})`).join(', ')}`);
}
console.log('# * held back (not tuned on)');
const heldBack = results.filter((r) => r.clip.heldBack), tuned = results.filter((r) => !r.clip.heldBack);
const correlations = (rs: typeof results) => rs.flatMap((r) => r.honesty.shapes.filter((s) => s.moving && !Number.isNaN(s.correlation)).map((s) => s.correlation));
const allMs = results.flatMap((r) => r.run.ms);
const frames = results.reduce((n, r) => n + r.honesty.frames, 0);
const framesWeighted = (key: 'antagonistFramesPct' | 'antagonistFramesPctMediapipe') => results.reduce((s, r) => s + r.honesty[key] * r.honesty.frames, 0) / frames;
console.log(
  JSON.stringify({
    rest_arkit_sum_median: round(median(results.map((r) => r.honesty.restSumFitted))),
    rest_arkit_sum_mediapipe_median: round(median(results.map((r) => r.honesty.restSumMediapipe))),
    clips_rest_sum_above_mediapipe: results.filter((r) => r.honesty.restSumFitted > r.honesty.restSumMediapipe).length,
    still_shapes_above_active: results.reduce((n, r) => n + r.honesty.stillShapesAboveActive.length, 0),
    arkit_corr_median: round(median(correlations(heldBack))),
    arkit_corr_median_tuned: round(median(correlations(tuned))),
    moving_shapes_below_0_8: correlations(results).filter((c) => c < 0.8).length,
    moving_shapes: correlations(results).length,
    antagonist_frames_pct: round(framesWeighted('antagonistFramesPct'), 1),
    antagonist_frames_pct_mediapipe: round(framesWeighted('antagonistFramesPctMediapipe'), 1),
    landmark_rms_px_median: round(median(results.flatMap((r) => r.run.rmsPx)), 3),
    fit_ms_p95: round(quantile(allMs, 0.95)),
    fit_ms_p50: round(quantile(allMs, 0.5)),
    before_rest_arkit_sum_median: round(median(before.map((r) => r.honesty.restSumFitted))),
    before_still_shapes_above_active: before.reduce((n, r) => n + r.honesty.stillShapesAboveActive.length, 0),
    before_arkit_corr_median: round(median(correlations(before.filter((r) => r.clip.heldBack)))),
    before_antagonist_frames_pct: round(before.reduce((s, r) => s + r.honesty.antagonistFramesPct * r.honesty.frames, 0) / frames, 1),
    before_landmark_rms_px_median: round(median(before.flatMap((r) => r.run.rmsPx)), 3),
    landmark_rms_ratio_vs_before: round(median(results.flatMap((r) => r.run.rmsPx)) / median(before.flatMap((r) => r.run.rmsPx)), 3),
    fit_ms_p95_ratio_vs_before: round(quantile(allMs, 0.95) / quantile(before.flatMap((r) => r.run.ms), 0.95)),
    frames,
  }),
);
