/**
 * Recorded MediaPipe frames replayed through `FaceFitter` and `FaceSmoother` as the tracking
 * worker runs them (TrackingPipeline: fit, then smoothing; a gap in the frame numbers is a lost
 * face: `faceLost` and a smoother reset). For `npm run bench -- blendshapes` and the Node tests.
 */
import { performance } from 'node:perf_hooks';
import { FaceFitter } from '../src/core/fit/FaceFitter.js';
import type { FaceFitterOptions } from '../src/core/fit/FaceFitterOptions.js';
import type { FrameObservation } from '../src/core/fit/types.js';
import type { FaceModel } from '../src/core/model/FaceModel.js';
import { FaceSmoother, type FaceSmootherOptions } from '../src/core/smoothing/FaceSmoother.js';
import type { FrameEnergy } from '../src/core/fit/FrameEnergy.js';
import { ReprojectionTerm } from '../src/core/fit/terms/ReprojectionTerm.js';

/** MediaPipe's 10 iris points (468–477). */
const IRIS_POINTS = { first: 468, count: 10 };

/** The fitter's blendshape settings before issue 15 ("honest blendshapes"), for comparisons in one process. */
export const BEFORE_HONEST_BLENDSHAPES: FaceFitterOptions = { weights: { blendshapeGaze: 1000, blendshapeOther: 100, blendshapeMarginEyes: 0, blendshapeMarginOther: 0 }, separateAntagonists: false };

/** One recorded frame with a face: its index in the video and what MediaPipe gave. */
export interface RecordedFrame {
  frame: number;
  timeMs: number;
  /** MediaPipe's 478 points, px, flat [x0, y0, …]. */
  landmarks: ArrayLike<number>;
  /** MediaPipe's 52 scores, MEDIAPIPE_BLENDSHAPES order. */
  blendshapes: ArrayLike<number>;
}

export interface Replay {
  /** Per frame: the smoothed ARKit-52 weights, MediaPipe's scores, the fit's landmark RMS and its irises' alone (px), and time (ms). */
  arkit: Float32Array[];
  mediapipe: Float32Array[];
  rmsPx: number[];
  irisRmsPx: number[];
  ms: number[];
}

/** The frames (of a `width` × `height` px video) through a fresh fitter and smoother (`smoothing`: its options, `{ enabled: false }` for the fits as they are). */
export function replay(model: FaceModel, frames: readonly RecordedFrame[], width: number, height: number, options: FaceFitterOptions = {}, smoothing: FaceSmootherOptions = {}): Replay {
  const fitter = new FaceFitter(model, options), smoother = new FaceSmoother(smoothing);
  const out: Replay = { arkit: [], mediapipe: [], rmsPx: [], irisRmsPx: [], ms: [] };
  // The landmark term's per-point distances are the solution's once `fit` returns.
  let energy: FrameEnergy | undefined;
  fitter.onSolved = (solved) => (energy = solved.energy);
  let lastFrame = -1;
  for (const f of frames) {
    if (lastFrame >= 0 && f.frame !== lastFrame + 1) {
      fitter.faceLost();
      smoother.reset();
    }
    lastFrame = f.frame;
    const observation: FrameObservation = { timeMs: f.timeMs, width, height, landmarks: Float32Array.from(f.landmarks), blendshapes: Float32Array.from(f.blendshapes) };
    const t0 = performance.now();
    const fit = smoother.filter(fitter.fit(observation));
    out.ms.push(performance.now() - t0);
    out.arkit.push(fit.arkit!);
    out.mediapipe.push(observation.blendshapes!);
    out.rmsPx.push(fit.stats.landmarkRmsPx);
    out.irisRmsPx.push(irisRmsPx(energy!));
  }
  return out;
}

function irisRmsPx(energy: FrameEnergy): number {
  const term = energy.terms.find((t) => t.name === 'landmarks');
  if (!(term instanceof ReprojectionTerm) || term.count < IRIS_POINTS.first + IRIS_POINTS.count) return NaN;
  let sum = 0;
  for (let i = IRIS_POINTS.first; i < IRIS_POINTS.first + IRIS_POINTS.count; i++) sum += term.distancesPx[i]! ** 2;
  return Math.sqrt(sum / IRIS_POINTS.count);
}
