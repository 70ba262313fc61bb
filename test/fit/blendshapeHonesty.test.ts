/**
 * Honest ARKit weights (issue 15) on the sample video: MediaPipe's points and scores of its every
 * frame (test/fixtures/webcam-head-motion-mediapipe.json.gz, recorded by `track`: see
 * scripts/fixtures/sampleVideoMediapipe.ts) replayed through the default model's fitter and the
 * smoother as the tracking worker runs them. The weights rest no higher than MediaPipe's own
 * scores, still shapes rest at 0, antagonists are never both active, moving shapes follow
 * MediaPipe, and the landmark fit is (nearly) as close as before.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ARKIT_ANTAGONISTS, ARKIT_BLENDSHAPES, scoreBeyondMargin, separateAntagonists } from '../../src/core/arkit.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { quantile } from '../../src/authoring/geometry/alignPointsToSurface.js';
import { activeAntagonists, clipHonesty } from '../../bench/blendshapeMetrics.js';
import { BEFORE_HONEST_BLENDSHAPES, replay, type RecordedFrame } from '../../bench/blendshapeReplay.js';

const root = new URL('../..', import.meta.url).pathname;
const model = await readFaceModel(new Uint8Array(readFileSync(`${root}models/face-default.glb`)));
const clip = JSON.parse(gunzipSync(readFileSync(`${root}test/fixtures/webcam-head-motion-mediapipe.json.gz`)).toString('utf8')) as {
  width: number;
  height: number;
  frames: RecordedFrame[];
};

describe('ARKit weights on the sample video (default model)', () => {
  const run = replay(model, clip.frames, clip.width, clip.height);
  const honesty = clipHonesty(run.arkit, run.mediapipe);

  it("rest no higher than MediaPipe's own scores, with the shapes that do not move at 0.1 or less", () => {
    expect(honesty.restingFrames).toBeGreaterThanOrEqual(30);
    // Before: 3.77 against MediaPipe's 2.81, with mouthShrugLower 0.24, mouthFrownLeft and mouthPressRight 0.12 at rest.
    expect(honesty.restSumFitted).toBeLessThanOrEqual(honesty.restSumMediapipe);
    expect(honesty.stillShapesAboveActive).toEqual([]);
  });

  it('never has both shapes of an antagonist pair above 0.1', () => {
    // Before: 31 % of the frames (browDown with browOuterUp, eyeLookUp with eyeLookDown, …).
    const frames = run.arkit.filter((w) => activeAntagonists(w).length > 0).length;
    expect(frames).toBe(0);
  });

  it("follows MediaPipe's score on every shape that moves in the clip", () => {
    const moving = honesty.shapes.filter((s) => s.moving);
    expect(moving.length).toBeGreaterThanOrEqual(12);
    // Before: mouthRollUpper −0.38 (its motion explained by other mouth shapes). mouthRollUpper
    // is still the least (0.77).
    for (const s of moving) expect(s.correlation, s.name).toBeGreaterThan(0.7);
    expect(honesty.movingCorrelationMedian).toBeGreaterThan(0.9);
  });

  it('keeps the landmark fit within 5 % of the fit before', () => {
    const before = replay(model, clip.frames, clip.width, clip.height, BEFORE_HONEST_BLENDSHAPES);
    const median = (v: number[]) => quantile(v, 0.5);
    expect(median(run.rmsPx)).toBeLessThan(1.05 * median(before.rmsPx));
  });
});

describe('the blendshape prior and the ARKit output', () => {
  it('anchors at the score beyond the margin: 1 stays 1, below the margin it asks for less than 0', () => {
    expect(scoreBeyondMargin(1, 0.1)).toBeCloseTo(1);
    expect(scoreBeyondMargin(0.55, 0.1)).toBeCloseTo(0.5);
    expect(scoreBeyondMargin(0.05, 0.1)).toBeLessThan(0);
    expect(scoreBeyondMargin(0.3, 0)).toBeCloseTo(0.3);
  });

  it('keeps only the net motion of each antagonist pair', () => {
    const w = new Float32Array(ARKIT_BLENDSHAPES.length);
    const set = (name: string, v: number) => (w[ARKIT_BLENDSHAPES.indexOf(name as (typeof ARKIT_BLENDSHAPES)[number])] = v);
    const get = (name: string) => w[ARKIT_BLENDSHAPES.indexOf(name as (typeof ARKIT_BLENDSHAPES)[number])]!;
    set('mouthSmileLeft', 0.3); set('mouthFrownLeft', 0.1); set('mouthSmileRight', 0.4);
    set('eyeWideLeft', 0.2); set('eyeSquintLeft', 0.05); set('eyeBlinkLeft', 0.5); set('jawOpen', 0.6); set('mouthClose', 0.2);
    separateAntagonists(w);
    expect(get('mouthSmileLeft')).toBeCloseTo(0.2);
    expect(get('mouthFrownLeft')).toBe(0);
    expect(get('mouthSmileRight')).toBeCloseTo(0.4); // no frown on that side
    // eyeWide is the antagonist of both squint and blink: squint takes 0.05, blink the remaining 0.15.
    expect(get('eyeSquintLeft')).toBe(0);
    expect(get('eyeWideLeft')).toBe(0);
    expect(get('eyeBlinkLeft')).toBeCloseTo(0.35);
    // jawOpen and mouthClose occur together: no pair.
    expect(get('jawOpen')).toBeCloseTo(0.6);
    expect(get('mouthClose')).toBeCloseTo(0.2);
    for (const [a, b] of ARKIT_ANTAGONISTS) expect(Math.min(get(a), get(b))).toBe(0);
  });
});
