/**
 * `npm run bench -- accuracy`: how close the tracker's points are to an independent 68-point
 * detector (face-api, not MediaPipe) on real clips of several people, in headless Chromium on the
 * exact decoded frames (WebCodecs; a still image is tracked as a 10-frame static clip). Per clip:
 * NME (inner 51 points, outer-eye-corner normalised) of MediaPipe's points, of the fitted 478
 * mapped to 68 and of the model's own `landmarks68`, and their ratios to MediaPipe's; jitter of
 * the raw and fitted points: NMJ in still segments (as LDEQ's), and over every frame each point's
 * distance from the midpoint of its neighbours in time (the example clips barely hold still); the resting face's ARKit sum (fitted and
 * MediaPipe's); the median per-shape correlation of the fitted ARKit weights with MediaPipe's
 * scores (shapes that move). Definitions: bench/accuracy/metrics.ts.
 *
 * Tune on the sample video, the portrait, ex1 and ex2; report ex3, ex4, ex5 (held back): the
 * last line is {"nme_ratio_fitted_median", "nme_ratio_68_median", "jitter_ratio_median" (the
 * acceleration jitter's), "still_jitter_ratio_median" (NMJ, clips with 10 still steps or more),
 * "rest_arkit_sum_median", "rest_arkit_sum_mediapipe_median", "arkit_corr_median"} over them.
 *
 *   npm run bench -- accuracy [--clips sample,ex1] [--detect-every 3] [--rescore] [--backend wasm|webgl|cpu] [--tracker '{"smoothing":false}']
 *
 * Per-frame data are cached in test-results/accuracy-cache/: face-api's points by clip and frame
 * step, the tracker's by clip, face model and built tracking worker (their bytes' hash), so a rebuilt model or fitter only re-tracks
 * and `--rescore` scores the cache without a browser. Needs `npm run build` first; the clips ex1–5 and the portrait are read from
 * ../shared/assets/media/ (CC BY-NC: benchmarks only, never in the package).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startBrowserSession } from '../test/browser/harness.js';
import { bundlePage } from '../test/browser/priorBundle.js';
import { median } from './accuracy/metrics.js';
import type { ClipOptions, ClipRun, TrackerVariant } from './accuracy/page.js';
import { scoreClip, type ClipScore } from './accuracy/score.js';

const root = new URL('..', import.meta.url).pathname;
const shared = `${root}../shared/assets/media/`;
const CLIPS = [
  { name: 'sample', file: `${root}examples/media/webcam-head-motion.mp4`, heldBack: false },
  { name: 'portrait', file: `${shared}portrait.jpg`, heldBack: false },
  { name: 'ex1', file: `${shared}pixel3dmm-ex1.mp4`, heldBack: false },
  { name: 'ex2', file: `${shared}pixel3dmm-ex2.mp4`, heldBack: false },
  { name: 'ex3', file: `${shared}pixel3dmm-ex3.mp4`, heldBack: true },
  { name: 'ex4', file: `${shared}pixel3dmm-ex4.mp4`, heldBack: true },
  { name: 'ex5', file: `${shared}pixel3dmm-ex5.mp4`, heldBack: true },
];

const { values: args } = parseArgs({
  options: {
    clips: { type: 'string', default: CLIPS.map((c) => c.name).join(',') },
    'detect-every': { type: 'string', default: '2' },
    rescore: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
    tracker: { type: 'string', default: '' },
  },
});
const wanted = CLIPS.filter((c) => args.clips!.split(',').includes(c.name));
const detectEvery = Number(args['detect-every']);
/** Tracker options (`fitter`, `smoothing`: plain data) to try, e.g. '{"smoothing":false}': they key the tracking cache too. */
const trackerOptions = args.tracker ? (JSON.parse(args.tracker) as TrackerVariant) : undefined;

const cacheDir = `${root}test-results/accuracy-cache`;
const mediaDir = `${root}test-results/accuracy-media`;
mkdirSync(cacheDir, { recursive: true });
mkdirSync(mediaDir, { recursive: true });
// face-api's points do not depend on the face model: cached apart, so a rebuilt model only re-tracks (seconds a clip).
// The built tracking worker (fitter and smoother) keys the tracking too: a changed default must not score a stale run.
const worker = `${root}dist/tracking-worker.js`;
const modelHash = createHash('sha1').update(readFileSync(`${root}models/face-default.glb`)).update(existsSync(worker) ? readFileSync(worker) : '').digest('hex').slice(0, 10);
const variantHash = trackerOptions ? `-options${createHash('sha1').update(args.tracker!).digest('hex').slice(0, 8)}` : '';
const trackPath = (name: string) => `${cacheDir}/${name}-model${modelHash}${variantHash}.json`;
const detectionsPath = (name: string) => `${cacheDir}/${name}-faceapi-every${detectEvery}.json`;
/** face-api's 68 points by frame index. */
type Detections = Record<number, number[]>;

const missing = wanted.filter((c) => !existsSync(trackPath(c.name)) || !existsSync(detectionsPath(c.name)));
if (missing.length && args.rescore) throw new Error(`No cached run for ${missing.map((c) => c.name).join(', ')} (model ${modelHash}, face-api every ${detectEvery}): run without --rescore.`);
if (missing.length) {
  if (!existsSync(worker)) throw new Error('Run `npm run build` first.');
  const pageUrl = await bundlePage('bench/accuracy/page.ts');
  const session = await startBrowserSession({ webgpu: false });
  try {
    const page = await session.open(pageUrl);
    page.on('pageerror', (e) => console.error('page error:', e));
    page.on('console', (m) => {
      if (m.text().startsWith('accuracy:') || m.type() === 'error') console.log(m.text());
    });
    await page.waitForFunction(() => 'accuracyBench' in window);
    for (const clip of missing) {
      // The server serves the repository: the shared clips are copied under test-results/ (git-ignored).
      const fileName = clip.file.split('/').pop()!;
      copyFileSync(clip.file, `${mediaDir}/${fileName}`);
      const detect = !existsSync(detectionsPath(clip.name));
      const options: ClipOptions = { detectEvery: detect ? detectEvery : 0, tfBackend: args.backend!, ...(trackerOptions && { tracker: trackerOptions }) };
      const start = Date.now();
      const run = await page.evaluate(([u, o]) => window.accuracyBench.trackClip(u, o), [`/test-results/accuracy-media/${fileName}`, options] as const);
      console.log(`${clip.name}: ${run.frames.length}/${run.frameCount} frames with a face, tracking ${(run.trackMs / 1000).toFixed(0)} s${detect ? `, face-api (${run.backend}) ${(run.detectMs / 1000).toFixed(0)} s` : ''}, wall ${((Date.now() - start) / 1000).toFixed(0)} s`);
      if (detect) writeFileSync(detectionsPath(clip.name), JSON.stringify(Object.fromEntries(run.frames.filter((f) => f.faceApi68).map((f) => [f.index, f.faceApi68]))));
      for (const f of run.frames) delete f.faceApi68;
      writeFileSync(trackPath(clip.name), JSON.stringify(run));
    }
  } finally {
    await session.close();
  }
}
const runs = new Map<string, ClipRun>();
for (const clip of wanted) {
  const run = JSON.parse(readFileSync(trackPath(clip.name), 'utf8')) as ClipRun;
  const detections = JSON.parse(readFileSync(detectionsPath(clip.name), 'utf8')) as Detections;
  for (const f of run.frames) if (detections[f.index]) f.faceApi68 = detections[f.index];
  runs.set(clip.name, run);
}

const scores = new Map<string, ClipScore>(wanted.map((c) => [c.name, scoreClip(runs.get(c.name)!, !c.file.endsWith('.jpg'))]));
const f = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(2)} %` : '–');
console.log(`\nmodel ${modelHash}${trackerOptions ? `, tracker options ${args.tracker}` : ''}; face-api every ${detectEvery}th frame; * = held back (not tuned on)`);
console.log('| clip | frames | face-api frames (gross misses) | NME MediaPipe | NME fitted 478→68 | NME landmarks68 | ratio fitted | ratio 68 | still steps | NMJ raw | NMJ fitted | NMJ ratio | accel. jitter raw | accel. jitter fitted | accel. jitter ratio | rest ARKit sum fitted | rest sum MediaPipe | ARKit corr (median) | worst shapes |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const clip of wanted) {
  const s = scores.get(clip.name)!;
  const worst = s.shapeCorr.slice(0, 3).map(([n, c]) => `${n} ${f(c, 2)}`).join(', ') || '–';
  console.log(
    `| ${clip.name}${clip.heldBack ? ' *' : ''} | ${s.frames} | ${s.detected} (${s.grossMisses}) | ${pct(s.nmeMediapipe)} | ${pct(s.nmeFitted)} | ${pct(s.nme68)} | ${f(s.nmeRatioFitted)} | ${f(s.nmeRatio68)} | ${s.stillSteps} | ${pct(s.jitterRaw)} | ${pct(s.jitterFitted)} | ${f(s.jitterRatio, 2)} | ${pct(s.accelJitterRaw)} | ${pct(s.accelJitterFitted)} | ${f(s.accelJitterRatio, 2)} | ${f(s.restArkitSum, 2)} | ${f(s.restArkitSumMediapipe, 2)} | ${f(s.arkitCorr, 2)} | ${worst} |`,
  );
}
/** Fewer still steps than this make a clip's NMJ too noisy to summarise. */
const MIN_STILL_STEPS = 10;
const held = wanted.filter((c) => c.heldBack).map((c) => scores.get(c.name)!);
const summary = (pick: (s: ClipScore) => number) => +median(held.map(pick)).toFixed(4);
console.log(
  JSON.stringify({
    held_back: wanted.filter((c) => c.heldBack).map((c) => c.name),
    nme_ratio_fitted_median: summary((s) => s.nmeRatioFitted),
    nme_ratio_68_median: summary((s) => s.nmeRatio68),
    jitter_ratio_median: summary((s) => s.accelJitterRatio),
    still_jitter_ratio_median: summary((s) => (s.stillSteps >= MIN_STILL_STEPS ? s.jitterRatio : NaN)),
    rest_arkit_sum_median: summary((s) => s.restArkitSum),
    rest_arkit_sum_mediapipe_median: summary((s) => s.restArkitSumMediapipe),
    arkit_corr_median: summary((s) => s.arkitCorr),
  }),
);
