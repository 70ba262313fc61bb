/**
 * `npm run bench -- accuracy`: how close the tracker's points are to an independent 68-point
 * detector (face-api, not MediaPipe) on real clips of several people, in headless Chromium on the
 * exact decoded frames (WebCodecs; a still image is tracked as a 10-frame static clip). Per clip:
 * NME (inner 51 points, outer-eye-corner normalised) of MediaPipe's points, of the fitted 478
 * mapped to 68 and of the model's own `landmarks68`, and their ratios to MediaPipe's; NMJ jitter
 * of the raw and fitted points in still segments; the resting face's ARKit sum (fitted and
 * MediaPipe's); the median per-shape correlation of the fitted ARKit weights with MediaPipe's
 * scores (shapes that move). Definitions: bench/accuracy/metrics.ts.
 *
 * Tune on the sample video, the portrait, ex1 and ex2; report ex3, ex4, ex5 (held back): the
 * last line is {"nme_ratio_fitted_median", "nme_ratio_68_median", "jitter_ratio_median",
 * "rest_arkit_sum_median", "rest_arkit_sum_mediapipe_median", "arkit_corr_median"} over them.
 *
 *   npm run bench -- accuracy [--clips sample,ex1] [--detect-every 3] [--rescore] [--backend webgl|cpu]
 *
 * Each clip's per-frame data are cached in test-results/accuracy-cache/ (keyed by the clip, the
 * detector's frame step and the face model's bytes): `--rescore` scores the cache without a
 * browser. Needs `npm run build` first; the clips ex1–5 and the portrait are read from
 * ../shared/assets/media/ (CC BY-NC: benchmarks only, never in the package).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startBrowserSession } from '../test/browser/harness.js';
import { bundlePage } from '../test/browser/priorBundle.js';
import { median } from './accuracy/metrics.js';
import type { ClipRun } from './accuracy/page.js';
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
    backend: { type: 'string', default: 'webgl' },
  },
});
const wanted = CLIPS.filter((c) => args.clips!.split(',').includes(c.name));
const detectEvery = Number(args['detect-every']);

const cacheDir = `${root}test-results/accuracy-cache`;
const mediaDir = `${root}test-results/accuracy-media`;
mkdirSync(cacheDir, { recursive: true });
mkdirSync(mediaDir, { recursive: true });
const modelHash = createHash('sha1').update(readFileSync(`${root}models/face-default.glb`)).digest('hex').slice(0, 10);
const cachePath = (name: string) => `${cacheDir}/${name}-every${detectEvery}-model${modelHash}.json`;

const runs = new Map<string, ClipRun>();
const missing = wanted.filter((c) => !existsSync(cachePath(c.name)));
if (missing.length && args.rescore) throw new Error(`No cached run for ${missing.map((c) => c.name).join(', ')} (model ${modelHash}): run without --rescore.`);
if (missing.length) {
  if (!existsSync(`${root}dist/tracking-worker.js`)) throw new Error('Run `npm run build` first.');
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
      const served = `${mediaDir}/${clip.file.split('/').pop()}`;
      copyFileSync(clip.file, served);
      const url = `/test-results/accuracy-media/${clip.file.split('/').pop()}`;
      const start = Date.now();
      const run = await page.evaluate(([u, every, backend]) => window.accuracyBench.trackClip(u as string, { detectEvery: every as number, tfBackend: backend as string }), [url, detectEvery, args.backend!] as const);
      console.log(`${clip.name}: ${run.frames.length}/${run.frameCount} frames with a face, tracking ${(run.trackMs / 1000).toFixed(0)} s, face-api (${run.backend}) ${(run.detectMs / 1000).toFixed(0)} s, wall ${((Date.now() - start) / 1000).toFixed(0)} s`);
      writeFileSync(cachePath(clip.name), JSON.stringify(run));
    }
  } finally {
    await session.close();
  }
}
for (const clip of wanted) runs.set(clip.name, JSON.parse(readFileSync(cachePath(clip.name), 'utf8')) as ClipRun);

const scores = new Map<string, ClipScore>(wanted.map((c) => [c.name, scoreClip(runs.get(c.name)!, !c.file.endsWith('.jpg'))]));
const f = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(2)} %` : '–');
console.log(`\nmodel ${modelHash}; face-api every ${detectEvery}th frame; * = held back (not tuned on)`);
console.log('| clip | frames | face-api frames (gross misses) | NME MediaPipe | NME fitted 478→68 | NME landmarks68 | ratio fitted | ratio 68 | still steps | NMJ raw | NMJ fitted | jitter ratio | rest ARKit sum fitted | rest sum MediaPipe | ARKit corr (median) | worst shapes |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const clip of wanted) {
  const s = scores.get(clip.name)!;
  const worst = s.shapeCorr.slice(0, 3).map(([n, c]) => `${n} ${f(c, 2)}`).join(', ') || '–';
  console.log(
    `| ${clip.name}${clip.heldBack ? ' *' : ''} | ${s.frames} | ${s.detected} (${s.grossMisses}) | ${pct(s.nmeMediapipe)} | ${pct(s.nmeFitted)} | ${pct(s.nme68)} | ${f(s.nmeRatioFitted)} | ${f(s.nmeRatio68)} | ${s.stillSteps} | ${pct(s.jitterRaw)} | ${pct(s.jitterFitted)} | ${f(s.jitterRatio, 2)} | ${f(s.restArkitSum, 2)} | ${f(s.restArkitSumMediapipe, 2)} | ${f(s.arkitCorr, 2)} | ${worst} |`,
  );
}
const held = wanted.filter((c) => c.heldBack).map((c) => scores.get(c.name)!);
const summary = (pick: (s: ClipScore) => number) => +median(held.map(pick)).toFixed(4);
console.log(
  JSON.stringify({
    held_back: wanted.filter((c) => c.heldBack).map((c) => c.name),
    nme_ratio_fitted_median: summary((s) => s.nmeRatioFitted),
    nme_ratio_68_median: summary((s) => s.nmeRatio68),
    jitter_ratio_median: summary((s) => s.jitterRatio),
    rest_arkit_sum_median: summary((s) => s.restArkitSum),
    rest_arkit_sum_mediapipe_median: summary((s) => s.restArkitSumMediapipe),
    arkit_corr_median: summary((s) => s.arkitCorr),
  }),
);
