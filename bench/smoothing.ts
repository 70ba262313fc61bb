/**
 * `npm run bench -- smoothing`: the smoother's (`FaceSmoother`, One Euro per parameter group)
 * lag on a step and its noise reduction at rest, per group, at 30 fps, so a change to its
 * parameters is judged on both. A step: the group's input jumps from 0 to `size` and holds;
 * its lag is the frames until the output first reaches 90 % of the step (0: the same frame).
 * Two sizes a group: a large motion (a head turn, a jaw drop, a full expression) and a small one
 * (a nod, a lip movement), which the One Euro filter follows more slowly (its cutoff rises with
 * speed). Noise at rest: white noise on a still input, the output's frame-to-frame motion over
 * the input's (1: none removed).
 *
 *   npm run bench -- smoothing [--smoothing '{"expression":{"minCutoff":1}}']
 *
 * Last line: {"<group>_lag_frames_large", "<group>_lag_frames_small", "<group>_rest_jitter_ratio", ...}
 * per group (rotation, translation, expression, arkit, joints) for the defaults or the given options.
 */
import { parseArgs } from 'node:util';
import { FaceSmoother, type FaceSmootherOptions } from '../src/core/smoothing/FaceSmoother.js';
import type { FaceFit } from '../src/core/fit/types.js';

const FRAME_MS = 1000 / 30;
/** Distance of the head, mm: translation steps are a fraction of it (the filter measures speed in distances/s). */
const HEAD_MM = 500;
/** Step sizes per group, in the group's units: rad, mm, expression units (0..1), rad. */
const STEPS = {
  rotation: { large: 0.3, small: 0.03, noise: 0.002 },
  translation: { large: 50, small: 5, noise: 0.5 },
  expression: { large: 1, small: 0.1, noise: 0.02 },
  arkit: { large: 1, small: 0.1, noise: 0.02 },
  joints: { large: 0.3, small: 0.03, noise: 0.002 },
} as const;
type Group = keyof typeof STEPS;

const { values: args } = parseArgs({ options: { smoothing: { type: 'string', default: '{}' } } });
const options = JSON.parse(args.smoothing!) as FaceSmootherOptions;

/** A fit with one value in the group (rotation: a yaw; translation: along x; expression, ARKit weights and joints: the first coefficient). */
function fitWith(group: Group, frame: number, value: number): FaceFit {
  return {
    timeMs: frame * FRAME_MS,
    rotation: Float64Array.of(0, group === 'rotation' ? value : 0, 0),
    translation: Float64Array.of(group === 'translation' ? value : 0, 0, -HEAD_MM),
    identity: new Float32Array(1),
    expression: Float32Array.of(group === 'expression' ? value : 0, 0),
    arkit: Float32Array.of(group === 'arkit' ? value : 0, 0),
    jointRotations: Float32Array.of(group === 'joints' ? value : 0, 0, 0),
    camera: { focalPx: 800, cx: 320, cy: 240, width: 640, height: 480 },
    stats: { iterations: 1, energy: 0, landmarkRmsPx: 0, denseCount: 0, normalCount: 0, identityFrozen: true, reinitialised: false, ms: 0 },
  };
}

function groupValue(group: Group, fit: FaceFit): number {
  if (group === 'rotation') return fit.rotation[1]!;
  if (group === 'translation') return fit.translation[0]!;
  if (group === 'expression') return fit.expression[0]!;
  if (group === 'arkit') return fit.arkit![0]!;
  return fit.jointRotations![0]!;
}

/** Frames from the step until the output reaches 90 % of it (still at rest for 30 frames before). */
function stepLagFrames(group: Group, size: number): number {
  const smoother = new FaceSmoother(options);
  const before = 30;
  for (let t = 0; t < before; t++) smoother.filter(fitWith(group, t, 0));
  for (let lag = 0; lag < 120; lag++) {
    if (groupValue(group, smoother.filter(fitWith(group, before + lag, size))) >= 0.9 * size) return lag;
  }
  return Infinity;
}

/** Output over input frame-to-frame motion for white noise (a seeded LCG) on a still input. */
function restJitterRatio(group: Group, amplitude: number): number {
  const smoother = new FaceSmoother(options);
  let seed = 12345;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2 * amplitude;
  let inputMotion = 0, outputMotion = 0, lastIn = 0, lastOut = 0;
  for (let t = 0; t < 300; t++) {
    const x = noise();
    const y = groupValue(group, smoother.filter(fitWith(group, t, x)));
    if (t >= 30) {
      inputMotion += Math.abs(x - lastIn);
      outputMotion += Math.abs(y - lastOut);
    }
    lastIn = x;
    lastOut = y;
  }
  return outputMotion / inputMotion;
}

const result: Record<string, number> = {};
console.log('| group | step large | lag (frames at 30 fps) | step small | lag | rest jitter ratio |');
console.log('|---|---|---|---|---|---|');
for (const group of Object.keys(STEPS) as Group[]) {
  const { large, small, noise } = STEPS[group];
  const lagLarge = stepLagFrames(group, large), lagSmall = stepLagFrames(group, small), jitter = restJitterRatio(group, noise);
  console.log(`| ${group} | ${large} | ${lagLarge} | ${small} | ${lagSmall} | ${jitter.toFixed(2)} |`);
  Object.assign(result, { [`${group}_lag_frames_large`]: lagLarge, [`${group}_lag_frames_small`]: lagSmall, [`${group}_rest_jitter_ratio`]: +jitter.toFixed(3) });
}
console.log(JSON.stringify(result));
