/**
 * `npm run bench -- shapeJudge [--fitter '<json>'] [--smoothing '<json>'] [--all]`: where a fitted
 * ARKit weight and MediaPipe's own score disagree (a shape that moves in a clip with correlation
 * under 0.8, as `npm run bench -- blendshapes` counts them), which one is wrong, judged by an
 * independent measure of the shape (bench/shapeJudge/measures.ts): face-api's 68 points on the exact
 * decoded frames (the accuracy bench's cache, test-results/accuracy-cache/<clip>-faceapi-every2.json:
 * run `npm run bench -- accuracy` first), or for the gaze shapes MediaPipe's iris points.
 *
 * Per shape: r (MediaPipe, fitted) over every frame, and the partial correlations (head yaw and
 * pitch, and a measure's controls, taken out: bench/shapeJudge/statistics.ts) of MediaPipe's score and
 * of the fitted weight with the measure, with a block-bootstrap interval of their difference and
 * the verdict; and, to tell what the prior's margin and the smoother cost from what the landmarks
 * do, those of the prior's target (MediaPipe's score beyond the margin, at least 0) and of the
 * fitted weight before the smoother. First the checks on the measures: face-api's frames line up
 * with the recordings (the offset that brings MediaPipe's points closest to face-api's must be 0),
 * MediaPipe's one-sided scores follow their own side's measure, and how well the measures follow
 * the shapes where fit and MediaPipe agree (r ≥ 0.8).
 *
 * The replay is the blendshapes bench's (bench/blendshapeReplay.ts: the default fitter and
 * smoother, or `--fitter` / `--smoothing` options to try). `--all` lists every judged shape, not
 * only those under 0.8. Tune on the sample video, ex1 and ex2; ex3–ex5 are held back.
 * Last line: {"shapes_below_0_8", "mediapipe_wrong", "fit_wrong", "undecided", …}.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ARKIT_BLENDSHAPES, scoreBeyondMargin, type ArkitBlendshape } from '../src/core/arkit.js';
import { resolveFitterOptions, type FaceFitterOptions } from '../src/core/fit/FaceFitterOptions.js';
import { quantile } from '../src/core/math/quantile.js';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import type { FaceSmootherOptions } from '../src/core/smoothing/FaceSmoother.js';
import { mediapipeTo68, nme } from './accuracy/metrics.js';
import { CLIPS, clipRecords, recordedFrame } from './blendshapeClips.js';
import { clipHonesty, correlation, mediapipeInArkitOrder } from './blendshapeMetrics.js';
import { replay } from './blendshapeReplay.js';
import { SHAPE_MEASURES, type Points } from './shapeJudge/measures.js';
import { judge, partialCorrelation, poseCovariates, type Judgement } from './shapeJudge/statistics.js';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({ options: { fitter: { type: 'string', default: '{}' }, smoothing: { type: 'string', default: '{}' }, all: { type: 'boolean', default: false } } });
const fitterOptions = JSON.parse(args.fitter!) as FaceFitterOptions;
const smoothing = JSON.parse(args.smoothing!) as FaceSmootherOptions;
const { blendshapeMarginEyes, blendshapeMarginOther } = resolveFitterOptions(fitterOptions).weights;
/** The correlation under which a moving shape is judged (the bar). */
const LOW = 0.8;

/** The accuracy bench's name for a clip (its cache's file names). */
const accuracyName = (clip: string) => (clip === 'webcam-head-motion' ? 'sample' : clip.replace('pixel3dmm-', ''));
const model = await readFaceModel(new Uint8Array(readFileSync(`${root}models/face-default.glb`)));

interface ShapeCase extends Judgement {
  clip: string;
  heldBack: boolean;
  shape: ArkitBlendshape;
  mediapipeWithFitted: number;
  /** Partial r with the measure of what the prior asks of the fit: MediaPipe's score beyond the margin, at least 0. */
  targetWithMeasure: number;
  /** Partial r with the measure of the fitted weight before the smoother (`FaceSmoother`). */
  unsmoothedWithMeasure: number;
  samples: number;
}
const cases: ShapeCase[] = [];
const offsets: Record<string, number> = {};
const sides: { same: number; other: number }[] = [];

for (const clip of CLIPS) {
  const records = await clipRecords(clip, false);
  const faceapi = JSON.parse(readFileSync(`${root}test-results/accuracy-cache/${accuracyName(clip.name)}-faceapi-every2.json`, 'utf8')) as Record<number, number[]>;
  const frames = records.map(recordedFrame);
  const run = replay(model, frames, clip.width, clip.height, fitterOptions, smoothing);
  const unsmoothed = replay(model, frames, clip.width, clip.height, fitterOptions, { enabled: false });
  const mediapipe = run.mediapipe.map(mediapipeInArkitOrder);
  const byFrame = new Map(records.map((r, t) => [r.frame, t]));

  // face-api's frame f against MediaPipe's frame f + offset: the closest offset must be 0.
  const offsetNme = (offset: number) =>
    quantile(Object.entries(faceapi).flatMap(([f, p]) => {
      const t = byFrame.get(Number(f) + offset);
      return t === undefined ? [] : [nme(mediapipeTo68(records[t]!.mediapipeLandmarks2d!), p)];
    }), 0.5);
  const best = [-2, -1, 0, 1, 2].reduce((a, b) => (offsetNme(b) < offsetNme(a) ? b : a));
  offsets[clip.name] = best;
  if (best !== 0) throw new Error(`${clip.name}: face-api's frames line up with the recording at offset ${best}, not 0`);

  const pose = records.map((r) => poseCovariates(...(r.pose!.yawPitchRollDeg.slice(0, 2).map((d) => (d * Math.PI) / 180) as [number, number])));
  const honesty = clipHonesty(run.arkit, run.mediapipe);
  for (const s of honesty.shapes) {
    const measure = SHAPE_MEASURES[s.name];
    if (!s.moving || !measure) continue;
    const row = ARKIT_BLENDSHAPES.indexOf(s.name);
    // The samples the measure has: every frame (MediaPipe's iris) or face-api's frames.
    const samples: { t: number; points: Points }[] =
      measure.source === 'mediapipe478'
        ? records.map((r, t) => ({ t, points: r.mediapipeLandmarks2d! }))
        : Object.entries(faceapi).flatMap(([f, p]) => (byFrame.has(Number(f)) ? [{ t: byFrame.get(Number(f))!, points: p }] : []));
    const series = (pick: (t: number) => number) => samples.map(({ t }) => pick(t));
    const values = samples.map(({ points }) => measure.value(points));
    const mp = series((t) => mediapipe[t]![row]!), fit = series((t) => run.arkit[t]![row]!);
    const covariates = samples.map(({ t, points }) => [...pose[t]!, ...(measure.controls?.(points) ?? [])]);
    const margin = s.name.startsWith('eye') ? blendshapeMarginEyes : blendshapeMarginOther;
    const target = partialCorrelation(mp.map((v) => Math.max(0, scoreBeyondMargin(v, margin))), values, covariates);
    const raw = partialCorrelation(series((t) => unsmoothed.arkit[t]![row]!), values, covariates);
    cases.push({ clip: clip.name, heldBack: clip.heldBack, shape: s.name, mediapipeWithFitted: s.correlation, targetWithMeasure: target, unsmoothedWithMeasure: raw, samples: samples.length, ...judge(mp, fit, values, covariates) });
    // Left/right conventions: MediaPipe's score against its own side's measure and the other side's.
    const other = s.name.endsWith('Left') ? s.name.replace(/Left$/, 'Right') : s.name.endsWith('Right') ? s.name.replace(/Right$/, 'Left') : undefined;
    const otherMeasure = other && SHAPE_MEASURES[other as ArkitBlendshape];
    if (otherMeasure) sides.push({ same: correlation(mp, values), other: correlation(mp, samples.map(({ points }) => otherMeasure.value(points))) });
  }
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–').padStart(5);
const median = (v: number[]) => quantile(v.filter(Number.isFinite), 0.5);
console.log(`# frame alignment: face-api's frame f is MediaPipe's frame f + ${JSON.stringify(offsets)} (median NME smallest there)`);
console.log(`# sides: MediaPipe's score vs its own side's measure r ${median(sides.map((s) => s.same)).toFixed(2)}, vs the other side's ${median(sides.map((s) => s.other)).toFixed(2)} (median over ${sides.length} moving one-sided shapes)`);
const agreeing = cases.filter((c) => c.mediapipeWithFitted >= LOW);
console.log(`# measures where fit and MediaPipe agree (r ≥ ${LOW}, ${agreeing.length} shapes): median partial r with the measure, MediaPipe ${median(agreeing.map((c) => c.mediapipeWithMeasure)).toFixed(2)}, fit ${median(agreeing.map((c) => c.fittedWithMeasure)).toFixed(2)}`);
console.log('# clip                shape               samples  r(mp,fit) r(mp,meas) r(fit,meas) r(target,meas) r(raw,meas)  diff 95% CI      verdict        measure');
const low = cases.filter((c) => c.mediapipeWithFitted < LOW);
for (const c of args.all ? cases : low) {
  console.log(
    `# ${(c.clip + (c.heldBack ? '*' : '')).padEnd(20)} ${c.shape.padEnd(19)} ${String(c.samples).padStart(7)}  ${f2(c.mediapipeWithFitted)}     ${f2(c.mediapipeWithMeasure)}      ${f2(c.fittedWithMeasure)}       ${f2(c.targetWithMeasure)}       ${f2(c.unsmoothedWithMeasure)}     [${f2(c.differenceLow)}, ${f2(c.differenceHigh)}]  ${c.verdict.padEnd(15)} ${SHAPE_MEASURES[c.shape]!.label}`,
  );
}
console.log("# * held back (not tuned on); r(meas): partial correlations, head yaw and pitch (and their squares) taken out, and the measure's controls (the lip gap); target: the prior's, max(0, MediaPipe's score beyond the margin); raw: the fitted weight before the smoother; diff: r(fit,meas) − r(mp,meas)");
const count = (v: Judgement['verdict'], rs = low) => rs.filter((c) => c.verdict === v).length;
const held = low.filter((c) => c.heldBack);
console.log(
  JSON.stringify({
    shapes_below_0_8: low.length,
    mediapipe_wrong: count('mediapipe wrong'),
    fit_wrong: count('fit wrong'),
    undecided: count('undecided'),
    held_back_below_0_8: held.length,
    held_back_fit_wrong: count('fit wrong', held),
    moving_shapes_judged: cases.length,
    agreeing_measure_r_median: Number(median(agreeing.map((c) => c.mediapipeWithMeasure)).toFixed(2)),
    cases: low.map((c) => ({ clip: c.clip, shape: c.shape, r_mp_fit: +c.mediapipeWithFitted.toFixed(2), r_mp_measure: +c.mediapipeWithMeasure.toFixed(2), r_fit_measure: +c.fittedWithMeasure.toFixed(2), r_target_measure: +c.targetWithMeasure.toFixed(2), r_unsmoothed_measure: +c.unsmoothedWithMeasure.toFixed(2), verdict: c.verdict })),
  }),
);
