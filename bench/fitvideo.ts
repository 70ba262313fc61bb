/**
 * `npm run bench -- fitvideo [fresh]`: the fitter on the sample video
 * (examples/media/webcam-head-motion.mp4), in Node, on what the tracker gave it there.
 *
 * The browser benchmark (`prior`) times the fit inside the tracking worker while MediaPipe, the
 * prior's worker and video decoding share this 2-core machine: its tail is mostly the machine's.
 * This one replays the same inputs through `FaceFitter` alone, so a fitter change can be judged:
 * - landmarks: MediaPipe's 478 points and blendshape scores of every frame, recorded by the
 *   `track` command (headless Chromium, built SDK) into test-results/fitvideo/frames.jsonl, reused
 *   after the first run (`fresh` records again; needs `npm run build`).
 * - dense: every third frame (the prior's ~9 Hz on this video, each map used once) also gets the
 *   correspondences a perfect prior would give: maps rendered (256 px) from the tracked face of
 *   that frame, read through the runtime's lookup for the runtime's candidate vertices.
 * Timings: performance.now() around `fit()` on every frame with a face (the first, the identity
 * frames and re-initialisations included, as the tracker meets them), after one untimed warm-up
 * pass; each frame's least of three runs (`_single_run`: one run's). The baseline: the same
 * fitter taking every frame into the identity estimate (the policy before one in five), for
 * the ratio of p95s.
 *
 * Last line: {"landmarks_fit_ms_p50", "landmarks_fit_ms_p95", "dense_fit_ms_p50",
 * "dense_fit_ms_p95" (over the dense frames), "frames_before_identity_froze", "landmark_rms_px_median", …}.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FaceFitter } from '../src/core/fit/FaceFitter.js';
import type { FaceFitterOptions } from '../src/core/fit/FaceFitterOptions.js';
import type { FrameObservation } from '../src/core/fit/types.js';
import { FaceModelEvaluator } from '../src/core/model/FaceModelEvaluator.js';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { selectCandidateVertices } from '../src/workers/tracking/prior/candidateVertices.js';
import { CANDIDATE_VERTICES } from '../src/workers/tracking/prior/PriorStage.js';
import { trackVideo } from '../scripts/cli/track.js';
import type { FrameRecord } from '../scripts/cli/trackProtocol.js';
import { renderedDense } from '../test/fit/utils/fitHarness.js';
import { quantile } from '../src/core/math/quantile.js';

const root = new URL('..', import.meta.url).pathname;
const video = `${root}examples/media/webcam-head-motion.mp4`;
const outDir = `${root}test-results/fitvideo`;
const log = (...args: unknown[]) => console.log('#', ...args);

if (process.argv[2] === 'fresh' || !existsSync(`${outDir}/frames.jsonl`)) {
  mkdirSync(outDir, { recursive: true });
  log('recording the tracker\'s inputs with `track` …');
  await trackVideo(video, outDir, { sheetFrames: 1, smoothing: true, onProgress: () => undefined });
}
const records = readFileSync(`${outDir}/frames.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as FrameRecord).filter((r) => r.face);
const model = await readFaceModel(new Uint8Array(readFileSync(`${root}models/face-default.glb`)));
// The frame size is not in the records: the sample video's.
const WIDTH = 1080, HEIGHT = 720;

const landmarkFrames: FrameObservation[] = records.map((r) => ({
  timeMs: r.timeMs!,
  width: WIDTH,
  height: HEIGHT,
  landmarks: Float32Array.from(r.mediapipeLandmarks2d!),
  blendshapes: Float32Array.from(r.mediapipeBlendshapes!),
}));
const DENSE_EVERY = 3;
const evaluator = new FaceModelEvaluator(model);
const candidates = selectCandidateVertices(model, CANDIDATE_VERTICES);
const denseFrames: FrameObservation[] = landmarkFrames.map((observation, t) => {
  if (t % DENSE_EVERY !== 0) return observation;
  const r = records[t]!;
  const truth = {
    identity: Float64Array.from(r.identity!),
    expression: Float64Array.from(model.expression.names, (name) => r.expression![name] ?? 0),
    rotation: Float64Array.from(r.pose!.rotation),
    translation: Float64Array.from(r.pose!.translation),
    ...(r.jointRotations ? { jointRotations: Float64Array.from(r.jointRotations) } : {}),
  };
  const camera = { focalPx: r.focalPx!, cx: WIDTH / 2, cy: HEIGHT / 2, width: WIDTH, height: HEIGHT };
  return { ...observation, dense: renderedDense(model, evaluator, truth, camera, observation.landmarks, 256, candidates, observation.timeMs) };
});
log(`${records.length} frames with a face, ${denseFrames.filter((f) => f.dense).length} with dense correspondences`);

interface Run {
  ms: number[];
  /** Frames fitted before identity froze (one in five of them adds to the estimate). */
  framesBeforeFreeze: number;
  rmsPx: number[];
  denseCounts: number[];
}
function run(frames: FrameObservation[], options: FaceFitterOptions): Run {
  const fitter = new FaceFitter(model, options);
  const out: Run = { ms: [], framesBeforeFreeze: 0, rmsPx: [], denseCounts: [] };
  for (const observation of frames) {
    const t0 = performance.now();
    const fit = fitter.fit(observation);
    out.ms.push(performance.now() - t0);
    if (!fit.stats.identityFrozen) out.framesBeforeFreeze++;
    out.rmsPx.push(fit.stats.landmarkRmsPx);
    out.denseCounts.push(fit.stats.denseCount);
  }
  return out;
}
/** Each frame's least time over `REPEATS` runs (the work is the same each run; the machine only adds). */
const REPEATS = 3;
function timed(frames: FrameObservation[], options: FaceFitterOptions): { best: Run; single: Run } {
  const runs = Array.from({ length: REPEATS }, () => run(frames, options));
  return { best: { ...runs[0]!, ms: runs[0]!.ms.map((_, i) => Math.min(...runs.map((r) => r.ms[i]!))) }, single: runs.at(-1)! };
}

const everyFrameIdentity: FaceFitterOptions = { identity: { interval: 1, minFrames: 10, maxFrames: 60 } };
run(denseFrames, {}); // JIT warm-up
const landmarks = timed(landmarkFrames, {}), dense = timed(denseFrames, {});
const landmarksBaseline = timed(landmarkFrames, everyFrameIdentity), denseBaseline = timed(denseFrames, everyFrameIdentity);

const denseOnly = (r: Run) => r.ms.filter((_, t) => denseFrames[t]!.dense);
const round = (v: number, digits = 2) => Number(v.toFixed(digits));
const p = (values: number[], q: number) => round(quantile(values, q));
log('slowest landmark frames (index: ms):', landmarks.best.ms.map((ms, t) => [t, ms] as const).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, ms]) => `${t}: ${ms.toFixed(2)}`).join(', '));
log('dense correspondences per dense frame, median:', quantile(dense.best.denseCounts.filter((_, t) => denseFrames[t]!.dense), 0.5));
console.log(
  JSON.stringify({
    landmarks_fit_ms_p50: p(landmarks.best.ms, 0.5),
    landmarks_fit_ms_p95: p(landmarks.best.ms, 0.95),
    dense_fit_ms_p50: p(denseOnly(dense.best), 0.5),
    dense_fit_ms_p95: p(denseOnly(dense.best), 0.95),
    landmarks_fit_ms_p95_single_run: p(landmarks.single.ms, 0.95),
    dense_fit_ms_p95_single_run: p(denseOnly(dense.single), 0.95),
    frames_before_identity_froze: landmarks.best.framesBeforeFreeze,
    landmarks_fit_ms_p95_every_frame_identity: p(landmarksBaseline.best.ms, 0.95),
    dense_fit_ms_p95_every_frame_identity: p(denseOnly(denseBaseline.best), 0.95),
    landmarks_p95_speedup: round(quantile(landmarksBaseline.best.ms, 0.95) / quantile(landmarks.best.ms, 0.95)),
    dense_p95_speedup: round(quantile(denseOnly(denseBaseline.best), 0.95) / quantile(denseOnly(dense.best), 0.95)),
    landmark_rms_px_median: p(landmarks.best.rmsPx, 0.5),
    landmark_rms_px_median_every_frame_identity: p(landmarksBaseline.best.rmsPx, 0.5),
    dense_count_median: quantile(dense.best.denseCounts.filter((_, t) => denseFrames[t]!.dense), 0.5),
    frames: records.length,
  }),
);
