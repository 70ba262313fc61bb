/** Scores one tracked clip (the page's `ClipRun`) with the figures of `metrics.ts`. */
import { clipHonesty } from '../blendshapeMetrics.js';
import { accelerationJitter, mean, mediapipeTo68, nme, normalisedMeanJitter, outerEyeCornerDistance, stillSteps } from './metrics.js';
import type { ClipRun } from './page.js';

export interface ClipScore {
  frames: number;
  /** Frames face-api ran on and found a face on (and agreed with MediaPipe within `GROSS_MISS`). */
  detected: number;
  /** Of those, left out as gross misses of either detector. */
  grossMisses: number;
  nmeMediapipe: number;
  nmeFitted: number;
  nme68: number;
  nmeRatioFitted: number;
  nmeRatio68: number;
  stillSteps: number;
  jitterRaw: number;
  jitterFitted: number;
  jitterRatio: number;
  /** `accelerationJitter` over every frame (defined where the head never holds still). */
  accelJitterRaw: number;
  accelJitterFitted: number;
  accelJitterRatio: number;
  restArkitSum: number;
  restArkitSumMediapipe: number;
  /** Median per-shape correlation with MediaPipe's scores, over the shapes that move. */
  arkitCorr: number;
  /** The moving shapes, worst correlation first. */
  shapeCorr: [string, number][];
}

/**
 * A frame where MediaPipe's points sit this far (NME) from face-api's is one where the two
 * detectors see different things (face-api's box on another face, or a failed fit): it measures
 * neither the fit nor its 68 points, so it is counted and left out.
 */
const GROSS_MISS = 0.2;

/** `video`: false for a still image tracked as a static clip (its frame-to-frame motion is the fit settling, not jitter). */
export function scoreClip(run: ClipRun, video: boolean): ClipScore {
  const frames = run.frames;
  const raw68 = frames.map((f) => mediapipeTo68(f.mediapipe));
  const faceSizes = raw68.map(outerEyeCornerDistance);

  const compared = frames.map((f, i) => ({ f, raw: raw68[i]! })).filter(({ f }) => f.faceApi68);
  const nmes = compared.map(({ f, raw }) => ({
    mediapipe: nme(raw, f.faceApi68!),
    fitted: nme(mediapipeTo68(f.fitted478), f.faceApi68!),
    own68: f.fitted68 ? nme(f.fitted68, f.faceApi68!) : NaN,
  }));
  const kept = nmes.filter((n) => n.mediapipe < GROSS_MISS);
  const nmeMediapipe = mean(kept.map((n) => n.mediapipe));
  const nmeFitted = mean(kept.map((n) => n.fitted));
  const nme68 = mean(kept.map((n) => n.own68));

  // A step counts only where the 5-frame window around it has every frame (no frame without a face).
  const still = !video ? frames.map(() => false) : stillSteps(frames.map((f) => f.mediapipe), faceSizes).map((s, i) => s && frames[i + 2]!.index - frames[i - 3]!.index === 5);
  const jitterRaw = normalisedMeanJitter(frames.map((f) => f.mediapipe), faceSizes, still);
  const jitterFitted = normalisedMeanJitter(frames.map((f) => f.fitted478), faceSizes, still);
  const consecutive = frames.map((f, i) => video && i > 0 && f.index === frames[i - 1]!.index + 1);
  const accelJitterRaw = accelerationJitter(frames.map((f) => f.mediapipe), faceSizes, consecutive);
  const accelJitterFitted = accelerationJitter(frames.map((f) => f.fitted478), faceSizes, consecutive);

  // The ARKit figures are the blendshapes bench's (`clipHonesty`: the same resting frames and moving shapes).
  const withArkit = frames.filter((f) => f.arkit);
  const honesty = withArkit.length > 1 ? clipHonesty(withArkit.map((f) => f.arkit!), withArkit.map((f) => f.mediapipeScores)) : undefined;
  const shapeCorr: [string, number][] = (honesty?.shapes ?? []).filter((s) => s.moving && !Number.isNaN(s.correlation)).map((s) => [s.name, s.correlation]);
  shapeCorr.sort((x, y) => x[1] - y[1]);

  return {
    frames: frames.length,
    detected: compared.length,
    grossMisses: compared.length - kept.length,
    nmeMediapipe,
    nmeFitted,
    nme68,
    nmeRatioFitted: nmeFitted / nmeMediapipe,
    nmeRatio68: nme68 / nmeMediapipe,
    stillSteps: still.filter(Boolean).length,
    jitterRaw,
    jitterFitted,
    jitterRatio: jitterFitted / jitterRaw,
    accelJitterRaw,
    accelJitterFitted,
    accelJitterRatio: accelJitterFitted / accelJitterRaw,
    restArkitSum: honesty?.restSumFitted ?? NaN,
    restArkitSumMediapipe: honesty?.restSumMediapipe ?? NaN,
    arkitCorr: honesty?.movingCorrelationMedian ?? NaN,
    shapeCorr,
  };
}
