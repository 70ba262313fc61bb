/**
 * `npm run bench -- accuracyLimits`: what bounds the accuracy benchmark's NME ratio, from its
 * cache (run `npm run bench -- accuracy` first; no browser). MediaPipe's NME against face-api
 * splits into a part that repeats frame after frame (each point's offset from face-api's, in the
 * eye-corner frame: the two detectors' conventions and a person's face) and a part that varies.
 * Only the varying part can be lowered by a temporal filter or by the fit's priors; per clip:
 * - `centred3`: MediaPipe's NME after a centred (non-causal, zero-lag) 3-frame mean of its
 *   points, over its own (below 1: its frame-to-frame noise is part of its error; a causal
 *   smoother can do no better without lag);
 * - `unbiased_own`: after each point's mean offset over the clip is taken off (an oracle: how much
 *   of the error repeats);
 * - `unbiased_tune`: after the mean offset over the tuning clips (sample, portrait, ex1, ex2) is
 *   taken off: what a per-point correction learnt there would give on the held-back clips;
 * - `fitted_from_mediapipe`: the fitted 478→68's mean distance from MediaPipe's (NME units);
 * - per group (brows, nose, eyes, mouth): NME of MediaPipe and of the fit.
 *
 *   npm run bench -- accuracyLimits [--model e6c8b238d8] [--options bbf189e3]
 *
 * `--options` picks a `--tracker` variant's cache (the hash in its file name). Last line: the
 * held-back clips' medians of the ratios above.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MULTIPIE68_INNER_FIRST } from '../src/authoring/registration/multipie68.js';
import { mean, median, mediapipeTo68, nme, type Points } from './accuracy/metrics.js';
import type { ClipRun } from './accuracy/page.js';

const root = new URL('..', import.meta.url).pathname;
const cacheDir = `${root}test-results/accuracy-cache`;
const TUNE = ['sample', 'portrait', 'ex1', 'ex2'];
const HELD_BACK = ['ex3', 'ex4', 'ex5'];
const GROUPS = { brows: [17, 27], nose: [27, 36], eyes: [36, 48], mouth: [48, 68] } as const;
/** As the accuracy benchmark: a frame this far off (NME) is the detectors on different things. */
const GROSS_MISS = 0.2;

const { values: args } = parseArgs({ options: { model: { type: 'string' }, options: { type: 'string' } } });
const suffix = `${args.options ? `-options${args.options}` : ''}.json`;
const files = readdirSync(cacheDir);
const model = args.model ?? files.find((f) => f.startsWith('sample-model') && f.endsWith(suffix) && (args.options || !f.includes('-options')))?.slice('sample-model'.length, 'sample-model'.length + 10);
if (!model) throw new Error('No cached accuracy run: run `npm run bench -- accuracy` first.');

interface Compared {
  /** Index into the clip's frames. */
  at: number;
  faceApi: Points;
  /** MediaPipe's 68 points' offsets from face-api's in the eye-corner frame, over the eye-corner distance (x, y per point). */
  offsets: Float64Array;
}

/** Eye-corner frame of face-api's 68 points: unit x along the eye corners, its normal, the distance (px). */
function eyeFrame(p: Points): { ux: number; uy: number; iod: number } {
  const dx = p[90]! - p[72]!, dy = p[91]! - p[73]!, iod = Math.hypot(dx, dy);
  return { ux: dx / iod, uy: dy / iod, iod };
}

function offsetsIn(points: Points, reference: Points): Float64Array {
  const { ux, uy, iod } = eyeFrame(reference), out = new Float64Array(136);
  for (let i = 0; i < 68; i++) {
    const ex = points[2 * i]! - reference[2 * i]!, ey = points[2 * i + 1]! - reference[2 * i + 1]!;
    out[2 * i] = (ex * ux + ey * uy) / iod;
    out[2 * i + 1] = (-ex * uy + ey * ux) / iod;
  }
  return out;
}

/** Mean inner-point distance of offsets less `bias` (NME units). */
function nmeLess(offsets: Float64Array, bias: Float64Array, from = MULTIPIE68_INNER_FIRST, to = 68): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.hypot(offsets[2 * i]! - bias[2 * i]!, offsets[2 * i + 1]! - bias[2 * i + 1]!);
  return sum / (to - from);
}

function meanOffsets(compared: readonly Compared[]): Float64Array {
  const out = new Float64Array(136);
  for (const c of compared) for (let k = 0; k < 136; k++) out[k] += c.offsets[k]! / compared.length;
  return out;
}

const clips = new Map<string, { run: ClipRun; compared: Compared[] }>();
for (const name of [...TUNE, ...HELD_BACK]) {
  const run = JSON.parse(readFileSync(`${cacheDir}/${name}-model${model}${suffix}`, 'utf8')) as ClipRun;
  const detections = JSON.parse(readFileSync(`${cacheDir}/${name}-faceapi-every2.json`, 'utf8')) as Record<number, number[]>;
  const compared: Compared[] = [];
  run.frames.forEach((f, at) => {
    const faceApi = detections[f.index];
    if (!faceApi) return;
    const offsets = offsetsIn(mediapipeTo68(f.mediapipe), faceApi);
    if (nmeLess(offsets, new Float64Array(136)) < GROSS_MISS) compared.push({ at, faceApi, offsets });
  });
  clips.set(name, { run, compared });
}
const tuneBias = meanOffsets(TUNE.flatMap((n) => clips.get(n)!.compared));
const zero = new Float64Array(136);

const rows: Record<string, Record<string, number>> = {};
console.log(`model ${model}${args.options ? `, options ${args.options}` : ''}`);
console.log('| clip | NME MediaPipe | centred3 | unbiased_own | unbiased_tune | fitted_from_mediapipe | brows MP / fit | nose | eyes | mouth |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [name, { run, compared }] of clips) {
  const frames = run.frames;
  const base = mean(compared.map((c) => nmeLess(c.offsets, zero)));
  const centred = compared.filter((c) => c.at > 0 && c.at + 1 < frames.length && frames[c.at + 1]!.index - frames[c.at - 1]!.index === 2);
  const averaged = (c: Compared) => {
    const [a, b, d] = [c.at - 1, c.at, c.at + 1].map((i) => mediapipeTo68(frames[i]!.mediapipe));
    return nme(a!.map((v, k) => (v + b![k]! + d![k]!) / 3), c.faceApi) / nme(b!, c.faceApi);
  };
  const own = meanOffsets(compared);
  const group = (points: (c: Compared) => Points, [from, to]: readonly [number, number]) => mean(compared.map((c) => nmeLess(offsetsIn(points(c), c.faceApi), zero, from, to)));
  const fitted = (c: Compared) => mediapipeTo68(frames[c.at]!.fitted478);
  const raw = (c: Compared) => mediapipeTo68(frames[c.at]!.mediapipe);
  const row = {
    nme_mediapipe: base,
    centred3: mean(centred.map(averaged)),
    unbiased_own: mean(compared.map((c) => nmeLess(c.offsets, own))) / base,
    unbiased_tune: mean(compared.map((c) => nmeLess(c.offsets, tuneBias))) / base,
    fitted_from_mediapipe: mean(compared.map((c) => nme(fitted(c), raw(c)) * (eyeFrame(raw(c)).iod / eyeFrame(c.faceApi).iod))),
  };
  rows[name] = row;
  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  const groups = Object.values(GROUPS).map((g) => `${pct(group(raw, g))} / ${pct(group(fitted, g))}`);
  console.log(`| ${name}${HELD_BACK.includes(name) ? ' *' : ''} | ${pct(base)} | ${row.centred3.toFixed(3)} | ${row.unbiased_own.toFixed(3)} | ${row.unbiased_tune.toFixed(3)} | ${pct(row.fitted_from_mediapipe)} | ${groups.join(' | ')} |`);
}
const held = (key: string) => +median(HELD_BACK.map((n) => rows[n]![key]!)).toFixed(4);
console.log(JSON.stringify({ held_back: HELD_BACK, centred3_ratio_median: held('centred3'), unbiased_own_ratio_median: held('unbiased_own'), unbiased_tune_ratio_median: held('unbiased_tune'), fitted_from_mediapipe_median: held('fitted_from_mediapipe') }));
