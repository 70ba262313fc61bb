/**
 * The shape judge's pieces (`npm run bench -- shapeJudge`: bench/shapeJudge/) on synthetic inputs
 * whose answers are known: the measures' geometry and the statistics behind the verdicts.
 */
import { describe, expect, it } from 'vitest';
import { eyeAperture, irisInEye, lowerLipTowardsLeft } from '../../bench/shapeJudge/measures.js';
import { judge, partialCorrelation, poseCovariates, residualise } from '../../bench/shapeJudge/statistics.js';
import { correlation } from '../../bench/blendshapeMetrics.js';

/** A deterministic noise source in [−0.5, 0.5). */
function noise(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
}

/** 68 points of an upright face 100 px between the outer eye corners, with some moved. */
function face68(moved: Record<number, [number, number]> = {}): number[] {
  const p = new Array<number>(136).fill(0);
  const set = (i: number, x: number, y: number) => ((p[2 * i] = x), (p[2 * i + 1] = y));
  set(36, 100, 100); set(39, 130, 100); set(37, 110, 95); set(38, 120, 95); set(41, 110, 105); set(40, 120, 105);
  set(42, 170, 100); set(45, 200, 100); set(43, 180, 95); set(44, 190, 95); set(47, 180, 105); set(46, 190, 105);
  set(51, 150, 170); set(57, 150, 185);
  for (const [i, [x, y]] of Object.entries(moved)) set(Number(i), x, y);
  return p;
}

describe('shape measures', () => {
  it('reads the eye aperture (lid height over width) and a jaw shift towards the subject\'s left (image right, unmirrored)', () => {
    expect(eyeAperture(face68(), 'Right')).toBeCloseTo(10 / 30);
    expect(eyeAperture(face68({ 37: [110, 99], 38: [120, 99] }), 'Right')).toBeCloseTo(6 / 30);
    expect(lowerLipTowardsLeft(face68())).toBeCloseTo(0);
    expect(lowerLipTowardsLeft(face68({ 57: [160, 185] }))).toBeCloseTo(0.1); // 10 px of 100 px between the eye corners
  });

  it('places the iris in the eye: 0 at the inner corner, 1 at the outer, down the face > 0, on both sides', () => {
    const p = new Array<number>(478 * 2).fill(0);
    const set = (i: number, x: number, y: number) => ((p[2 * i] = x), (p[2 * i + 1] = y));
    set(33, 100, 100); set(133, 130, 100); set(263, 200, 100); set(362, 170, 100); // unmirrored: the subject's right eye on the image's left
    set(468, 115, 100); set(473, 185, 100);
    expect(irisInEye(p, 'Right').out).toBeCloseTo(0.5);
    expect(irisInEye(p, 'Left').out).toBeCloseTo(0.5);
    set(468, 106, 103); set(473, 194, 103); // both look out and down
    for (const side of ['Left', 'Right'] as const) {
      expect(irisInEye(p, side).out).toBeCloseTo(0.8);
      expect(irisInEye(p, side).down).toBeCloseTo(0.1);
    }
  });
});

describe('shape verdict statistics', () => {
  const n = 120, rand = noise(7);
  const yaw = Array.from({ length: n }, (_, t) => 0.4 * Math.sin(t / 9));
  const pose = yaw.map((y) => poseCovariates(y, 0.1 * Math.cos(y * 5)));
  const signal = Array.from({ length: n }, (_, t) => Math.max(0, Math.sin(t / 4)));

  it('takes the head pose out: two series that share only the yaw are correlated raw, not partially', () => {
    const a = yaw.map((y) => y + 0.05 * rand()), b = yaw.map((y) => y * y + 2 * y + 0.05 * rand());
    expect(correlation(a, b)).toBeGreaterThan(0.9);
    expect(Math.abs(partialCorrelation(a, b, pose))).toBeLessThan(0.3);
    const residual = residualise(yaw.map((y) => 3 + 2 * y), pose);
    expect(Math.max(...residual.map(Math.abs))).toBeLessThan(1e-6);
  });

  it('blames the series that does not follow the measure, and decides nothing where the measure follows neither', () => {
    const measure = signal.map((s, t) => s + 0.3 * yaw[t]! + 0.1 * rand());
    const close = signal.map((s) => s + 0.05 * rand()), off = signal.map((s) => 0.4 * s + 0.6 * rand());
    expect(judge(off, close, measure, pose).verdict).toBe('mediapipe wrong');
    expect(judge(close, off, measure, pose).verdict).toBe('fit wrong');
    const unrelated = signal.map(() => rand());
    expect(judge(close, off, unrelated, pose).verdict).toBe('undecided');
    const same = judge(close, close.map((v) => v + 0.01 * rand()), measure, pose);
    expect(same.verdict).toBe('undecided');
    expect(same.differenceLow).toBeLessThan(0);
    expect(same.differenceHigh).toBeGreaterThan(0);
  });
});
