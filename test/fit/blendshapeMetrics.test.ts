/**
 * The honesty figures of `npm run bench -- blendshapes` (bench/blendshapeMetrics.ts) on synthetic
 * series whose answers are known.
 */
import { describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES } from '../../src/core/arkit.js';
import { activeAntagonists, clipHonesty, correlation, mediapipeInArkitOrder, moves, restingFrames, scoredSum } from '../../bench/blendshapeMetrics.js';

const row = (name: string) => (ARKIT_BLENDSHAPES as readonly string[]).indexOf(name);
const source = (name: string) => (MEDIAPIPE_BLENDSHAPES as readonly string[]).indexOf(name);

/** MediaPipe's 52 scores with the named ones set. */
function scores(values: Record<string, number>): Float32Array {
  const out = new Float32Array(MEDIAPIPE_BLENDSHAPES.length);
  for (const [name, v] of Object.entries(values)) out[source(name)] = v;
  return out;
}
/** ARKit-52 weights with the named ones set. */
function weights(values: Record<string, number>): Float32Array {
  const out = new Float32Array(ARKIT_BLENDSHAPES.length);
  for (const [name, v] of Object.entries(values)) out[row(name)] = v;
  return out;
}

describe('blendshape honesty metrics', () => {
  it("puts MediaPipe's scores in ARKit order, NaN for tongueOut, and sums only what MediaPipe scores", () => {
    const m = mediapipeInArkitOrder(scores({ _neutral: 0.9, jawOpen: 0.4, eyeBlinkLeft: 0.2 }));
    expect(m[row('jawOpen')]).toBeCloseTo(0.4);
    expect(m[row('eyeBlinkLeft')]).toBeCloseTo(0.2);
    expect(m[row('tongueOut')]).toBeNaN();
    expect(scoredSum(m, m)).toBeCloseTo(0.6); // _neutral is no ARKit shape
    expect(scoredSum(weights({ tongueOut: 1, jawOpen: 0.5 }), m)).toBeCloseTo(0.5);
  });

  it('finds the resting frames (lowest tenth of the score sums), correlation and motion', () => {
    const sums = [0.5, 3, 2, 0.4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    // The cut is the nearest-rank 10th percentile of 20 sums: the third least (2).
    expect(restingFrames(sums.map((s) => mediapipeInArkitOrder(scores({ jawOpen: s / 20 }))))).toEqual([0, 2, 3]);
    expect(correlation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1);
    expect(correlation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(correlation([1, 1, 1], [1, 2, 3])).toBeNaN();
    const ramp = (top: number) => Array.from({ length: 21 }, (_, i) => (top * i) / 20);
    expect(moves(ramp(0.3))).toBe(true); // 5th–95th percentile span 0.27
    expect(moves(ramp(0.2))).toBe(false);
  });

  it('counts an antagonist pair only when both of its shapes are above 0.1', () => {
    expect(activeAntagonists(weights({ mouthSmileLeft: 0.5, mouthFrownLeft: 0.2 }))).toHaveLength(1);
    expect(activeAntagonists(weights({ mouthSmileLeft: 0.5, mouthFrownLeft: 0.09 }))).toHaveLength(0);
    expect(activeAntagonists(weights({ mouthSmileLeft: 0.5, mouthFrownRight: 0.5 }))).toHaveLength(0); // different sides
    expect(activeAntagonists(weights({ eyeWideRight: 0.3, eyeSquintRight: 0.3, eyeBlinkRight: 0.3 }))).toHaveLength(2);
  });

  it('judges a clip: resting sums, still shapes at rest, moving-shape correlation, antagonist frames', () => {
    // 40 frames: a smile comes and goes; the fit follows it, but rests with a frown of 0.3 and
    // smiles with it (an antagonist pair on every frame), and keeps browDown at 0.2 throughout.
    const frames = 40;
    const smile = Array.from({ length: frames }, (_, t) => Math.max(0, Math.sin((Math.PI * t) / 20)));
    const mediapipe = smile.map((s) => scores({ mouthSmileLeft: s, eyeSquintLeft: 0.3 }));
    const fitted = smile.map((s) => weights({ mouthSmileLeft: 0.8 * s + 0.15, mouthFrownLeft: 0.3, browDownLeft: 0.2, eyeSquintLeft: 0.3, tongueOut: 1 }));
    const h = clipHonesty(fitted, mediapipe);
    expect(h.frames).toBe(frames);
    expect(h.restingFrames).toBe(20); // the half where sin ≤ 0: every frame at MediaPipe's least sum
    expect(h.restSumMediapipe).toBeCloseTo(0.3);
    expect(h.restSumFitted).toBeCloseTo(0.15 + 0.3 + 0.2 + 0.3); // tongueOut left out
    // Strict: eyeSquintLeft rests at 0.3 as MediaPipe's own score does, and still counts.
    expect(h.stillShapesAboveActive.sort()).toEqual(['browDownLeft', 'eyeSquintLeft', 'mouthFrownLeft']);
    expect(h.stillShapeRestMax).toBeCloseTo(0.3);
    const smileReport = h.shapes.find((s) => s.name === 'mouthSmileLeft')!;
    expect(smileReport.moving).toBe(true);
    expect(smileReport.correlation).toBeCloseTo(1);
    expect(h.movingCorrelationMedian).toBeCloseTo(1);
    expect(h.shapes.some((s) => s.name === 'tongueOut')).toBe(false);
    expect(h.antagonistFramesPct).toBe(100);
    expect(h.antagonistFramesPctMediapipe).toBe(0);
  });
});
