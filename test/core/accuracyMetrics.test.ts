/**
 * The accuracy benchmark's math (bench/accuracy/metrics.ts) on synthetic points whose answers are
 * known by construction: a shifted copy, a jittered still head, a turning head; and a clip's
 * scoring (bench/accuracy/score.ts) on a synthetic clip.
 */
import { describe, expect, it } from 'vitest';
import { accelerationJitter, mediapipeTo68, nme, normalisedMeanJitter, outerEyeCornerDistance, stillSteps } from '../../bench/accuracy/metrics.js';
import type { ClipRun } from '../../bench/accuracy/page.js';
import { scoreClip } from '../../bench/accuracy/score.js';
import { MULTIPIE68_TO_MEDIAPIPE } from '../../src/authoring/registration/multipie68.js';
import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES } from '../../src/core/arkit.js';

/** 68 points on a grid, outer eye corners (36, 45) 100 px apart. */
function face68(): Float32Array {
  const p = Float32Array.from({ length: 136 }, (_, k) => (k % 2 ? 200 + 3 * Math.floor(k / 2) : 100 + 7 * (Math.floor(k / 2) % 9)));
  p.set([150, 250], 72);
  p.set([250, 250], 90);
  return p;
}

/** A deterministic pseudo-random sequence in [-1, 1]. */
function noise(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
}

describe('accuracy metrics', () => {
  it('maps MediaPipe points to 68 by the table, and takes the outer-eye-corner distance', () => {
    const points478 = Float32Array.from({ length: 956 }, (_, k) => k);
    const mapped = mediapipeTo68(points478);
    expect(mapped[2 * 36]).toBe(2 * MULTIPIE68_TO_MEDIAPIPE[36]!);
    expect(mapped[2 * 67 + 1]).toBe(2 * MULTIPIE68_TO_MEDIAPIPE[67]! + 1);
    expect(outerEyeCornerDistance(face68())).toBeCloseTo(100, 6);
  });

  it('NME: a 3 px shift of the inner points over 100 px between the eye corners is 3 %; the jaw does not count', () => {
    const reference = face68();
    const shifted = reference.map((v, k) => (k >= 34 && k % 2 === 0 ? v + 3 : v));
    expect(nme(shifted, reference)).toBeCloseTo(0.03, 6);
    const jawOff = reference.map((v, k) => (k < 34 ? v + 50 : v));
    expect(nme(jawOff, reference)).toBe(0);
  });

  it('NMJ: a still head with ±0.5 px noise is still everywhere and its jitter is the mean step; a turning head is not still', () => {
    const rand = noise(7);
    const base = face68();
    const still = Array.from({ length: 40 }, () => base.map((v) => v + 0.5 * rand()));
    const sizes = still.map(() => 100);
    const steps = stillSteps(still, sizes);
    expect(steps.filter(Boolean).length).toBe(40 - 5);
    let expected = 0;
    for (let i = 3; i < 38; i++) {
      let sum = 0;
      for (let p = 0; p < 68; p++) sum += Math.hypot(still[i]![2 * p]! - still[i - 1]![2 * p]!, still[i]![2 * p + 1]! - still[i - 1]![2 * p + 1]!);
      expected += sum / 68 / 100;
    }
    expect(normalisedMeanJitter(still, sizes, steps)).toBeCloseTo(expected / 35, 9);
    // Half the noise: half the jitter.
    const calmer = still.map((frame) => frame.map((v, k) => (v + base[k]!) / 2));
    expect(normalisedMeanJitter(calmer, sizes, steps) / normalisedMeanJitter(still, sizes, steps)).toBeCloseTo(0.5, 6);
    // 2 px a frame sideways: 10 px across a window, over 2 % of the face.
    const turning = Array.from({ length: 40 }, (_, i) => base.map((v, k) => (k % 2 ? v : v + 2 * i)));
    expect(stillSteps(turning, sizes).some(Boolean)).toBe(false);
    expect(normalisedMeanJitter(turning, sizes, stillSteps(turning, sizes))).toBeNaN();
  });

  it('acceleration jitter: steady motion adds none, noise of std σ gives about 1.53 σ, frames after a gap are skipped', () => {
    const base = face68();
    const sizes = Array.from({ length: 400 }, () => 100);
    const all = sizes.map(() => true);
    all[0] = false;
    const steady = sizes.map((_, i) => base.map((v, k) => (k % 2 ? v - 0.5 * i : v + 3 * i)));
    expect(accelerationJitter(steady, sizes, all)).toBeCloseTo(0, 9);
    // Gaussian noise (Box–Muller on the deterministic sequence), σ = 1 px.
    const rand = noise(11);
    const gaussian = () => Math.sqrt(-2 * Math.log((rand() + 1) / 2 + 1e-12)) * Math.cos(Math.PI * (rand() + 1));
    const noisy = steady.map((frame) => frame.map((v) => v + gaussian()));
    expect(accelerationJitter(noisy, sizes, all) * 100).toBeCloseTo(1.53, 1);
    // A jump at a gap (frame 200 not consecutive) is not counted.
    const jumped = noisy.map((frame, i) => (i >= 200 ? frame.map((v) => v + 40) : frame));
    const gap = all.map((c, i) => c && i !== 200);
    expect(accelerationJitter(jumped, sizes, gap)).toBeCloseTo(accelerationJitter(noisy, sizes, gap), 6);
  });
});

describe('accuracy clip scoring', () => {
  /** A synthetic clip: 478 points on a grid drifting 0.1 px a frame with ±0.05 px of wobble, MediaPipe's jawOpen opening and closing, the fit copying MediaPipe. */
  function clip(): ClipRun {
    const jaw = MEDIAPIPE_BLENDSHAPES.indexOf('jawOpen'), arkitJaw = ARKIT_BLENDSHAPES.indexOf('jawOpen');
    const frames = Array.from({ length: 30 }, (_, index) => {
      const mediapipe = Array.from({ length: 956 }, (_, k) => (k % 2 ? 100 + 10 * Math.floor(k / 40) : 100 + 10 * ((k / 2) % 20) + 0.1 * index) + 0.05 * Math.sin(7 * index + k));
      const mediapipeScores = MEDIAPIPE_BLENDSHAPES.map((_, s) => (s === jaw ? 0.5 + 0.4 * Math.sin(index / 3) : 0.01));
      const arkit = ARKIT_BLENDSHAPES.map((_, a) => (a === arkitJaw ? 0.2 + 0.5 * mediapipeScores[jaw]! : 0.05));
      // face-api 2 px to the right of MediaPipe's points, on every other frame.
      const faceApi68 = index % 2 ? undefined : Array.from(mediapipeTo68(mediapipe), (v, k) => (k % 2 ? v : v + 2));
      return { index, t: index / 30, mediapipe, fitted478: mediapipe, fitted68: Array.from(mediapipeTo68(mediapipe)), arkit, mediapipeScores, ...(faceApi68 && { faceApi68 }) };
    });
    return { frames, frameCount: 30, width: 640, height: 480, trackMs: 0, detectMs: 0 };
  }

  it('a fit that copies MediaPipe scores ratio 1 everywhere; the ARKit figures follow the names across the two orders', () => {
    const run = clip();
    const s = scoreClip(run, true);
    const eyeCorners = outerEyeCornerDistance(mediapipeTo68(run.frames[0]!.mediapipe));
    expect(s.detected).toBe(15);
    expect(s.nmeMediapipe).toBeCloseTo(2 / eyeCorners, 4);
    expect(s.accelJitterRaw).toBeGreaterThan(0);
    expect([s.nmeRatioFitted, s.nmeRatio68, s.jitterRatio, s.accelJitterRatio]).toEqual([1, 1, 1, 1]);
    expect(s.stillSteps).toBe(30 - 5);
    expect(s.shapeCorr).toEqual([['jawOpen', expect.closeTo(1, 9)]]);
    // Resting: the lowest tenth of MediaPipe's sums, where jawOpen is near 0.1.
    const resting = run.frames.filter((f) => f.mediapipeScores[MEDIAPIPE_BLENDSHAPES.indexOf('jawOpen')]! < 0.2);
    expect(resting.length).toBeGreaterThan(0);
    expect(s.restArkitSum).toBeLessThan(0.2 + 0.5 * 0.2 + 51 * 0.05 + 1e-6);
    expect(s.restArkitSumMediapipe).toBeLessThan(0.2 + 51 * 0.01 + 1e-6);
  });

  it('a still image has no jitter figures', () => {
    const s = scoreClip(clip(), false);
    expect([s.stillSteps, s.jitterRaw, s.accelJitterRaw]).toEqual([0, NaN, NaN]);
  });
});
