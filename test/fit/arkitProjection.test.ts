/**
 * ARKit weights of models whose expressions are not ARKit shapes (FLAME's): the bounded projection
 * onto the ARKit shapes, and MediaPipe's scores steering such a model's fit through the shapes.
 */
import { describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES, mediapipeScoreIndex } from '../../src/core/arkit.js';
import { ARKIT_SCORE_WEIGHT, ArkitProjector } from '../../src/core/arkitProjection.js';
import { EYE_PITCH_MAX_RAD } from '../../src/core/eyeGaze.js';
import { FaceFitter } from '../../src/core/fit/FaceFitter.js';
import { SceneKit, TEST_CAMERA } from './utils/fitHarness.js';
import { projectedModel, rng, smallFaceModel } from './utils/smallFaceModel.js';

const model = projectedModel(smallFaceModel({ skinned: true, poseCorrectives: false }));
const projection = model.arkitProjection!;
const m = projection.rows.length, inputs = projection.shapes.length / m;
const expressionCount = model.expression.names.length;

/** The model's inputs (expressions, joint rotations) that make the ARKit combination `w`. */
function inputsOf(w: number[]): { expression: Float64Array; joints: Float64Array } {
  const x = new Float64Array(inputs);
  w.forEach((wa, a) => {
    for (let k = 0; k < inputs; k++) x[k] += wa * projection.shapes[a * inputs + k]!;
  });
  return { expression: x.slice(0, expressionCount), joints: x.slice(expressionCount) };
}

describe('ArkitProjector', () => {
  it('recovers ARKit combinations exactly, zeros included, where the shapes overlap', () => {
    const random = rng(9);
    const projector = new ArkitProjector(projection);
    for (let trial = 0; trial < 20; trial++) {
      // About half the shapes off: an unbounded projection would be free to go negative there.
      const w = Array.from({ length: m }, () => (random() < 0.5 ? 0 : random()));
      const { expression, joints } = inputsOf(w);
      const arkit = projector.solve(expression, joints);
      w.forEach((wa, a) => expect(arkit[projection.rows[a]!]!).toBeCloseTo(wa, 3));
      expect(arkit).toHaveLength(ARKIT_BLENDSHAPES.length);
    }
  });

  it("lets MediaPipe's scores settle only what the motion leaves open: a shape's full motion weighs 1/ρ to 1 against its score", () => {
    const random = rng(4);
    const w = Array.from({ length: m }, () => (random() < 0.5 ? 0 : random()));
    const { expression, joints } = inputsOf(w);
    // Scores that agree with the motion change nothing...
    const agreeing = new Float32Array(MEDIAPIPE_BLENDSHAPES.length);
    projection.rows.forEach((row, a) => (agreeing[mediapipeScoreIndex(row)] = w[a]!));
    const agreed = new ArkitProjector(projection).solve(expression, joints, undefined, agreeing);
    w.forEach((wa, a) => expect(agreed[projection.rows[a]!]!).toBeCloseTo(wa, 3));
    // ...and scores of 1 on a still face lift each weight by about ρ / (1 + ρ) at most.
    const still = inputsOf(new Array(m).fill(0));
    const lifted = new ArkitProjector(projection).solve(still.expression, still.joints, undefined, new Float32Array(MEDIAPIPE_BLENDSHAPES.length).fill(1));
    for (const row of projection.rows) expect(lifted[row]!).toBeLessThan(1.5 * (ARKIT_SCORE_WEIGHT / (1 + ARKIT_SCORE_WEIGHT)));
    expect(Math.max(...Array.from(projection.rows, (row) => lifted[row]!))).toBeGreaterThan(0.5 * (ARKIT_SCORE_WEIGHT / (1 + ARKIT_SCORE_WEIGHT)));
  });

  it("aims at the scores beyond the blendshape prior's margins: a score at its margin asks for 0, 1 stays 1", () => {
    const still = inputsOf(new Array(m).fill(0));
    const margins = { eyes: 0.15, other: 0.05 };
    const atMargin = new Float32Array(MEDIAPIPE_BLENDSHAPES.length).fill(0.05);
    for (const name of ['eyeBlinkLeft', 'eyeBlinkRight']) atMargin[MEDIAPIPE_BLENDSHAPES.indexOf(name as (typeof MEDIAPIPE_BLENDSHAPES)[number])] = 0.15;
    const plain = new ArkitProjector(projection).solve(still.expression, still.joints, undefined, atMargin);
    const beyond = new ArkitProjector(projection, margins).solve(still.expression, still.joints, undefined, atMargin);
    expect(Math.max(...Array.from(projection.rows, (row) => plain[row]!))).toBeGreaterThan(0.01);
    for (const row of projection.rows) expect(beyond[row]!).toBeLessThan(1e-6);
    const full = new Float32Array(MEDIAPIPE_BLENDSHAPES.length).fill(1);
    const lifted = new ArkitProjector(projection).solve(still.expression, still.joints, undefined, full);
    const liftedBeyond = new ArkitProjector(projection, margins).solve(still.expression, still.joints, undefined, full);
    for (const row of projection.rows) expect(liftedBeyond[row]!).toBeCloseTo(lifted[row]!, 5);
  });

  it('keeps weights in [0, 1] for motion beyond the shapes, and refuses a malformed projection', () => {
    const { expression, joints } = inputsOf(Array.from({ length: m }, (_, a) => (a % 2 ? 3 : -2)));
    const arkit = new ArkitProjector(projection).solve(expression, joints);
    for (const v of arkit) expect(v >= 0 && v <= 1).toBe(true);
    expect(() => new ArkitProjector({ ...projection, gram: projection.gram.subarray(1) })).toThrow(/malformed/);
  });
});

describe('ArkitProjector on antagonist shapes', () => {
  // Three shapes as their motion over four points: a smile and a frown that move the mouth corner
  // opposite ways (and each something of its own), and jawOpen.
  const motion = [
    [1, 0.5, 0, 0], // mouthSmileLeft
    [-0.8, 0, 0.6, 0], // mouthFrownLeft
    [0, 0.2, 0, 1], // jawOpen
  ];
  const names = ['mouthSmileLeft', 'mouthFrownLeft', 'jawOpen'] as const;
  /** The projection over the shapes `kept` (indices into `motion`), each shape its own input. */
  const projectionOf = (kept: number[]) => {
    const k = kept.length, n = motion.length;
    const dot = (a: number, b: number) => motion[a]!.reduce((s, v, i) => s + v * motion[b]![i]!, 0);
    const G = Array.from({ length: n * n }, (_, i) => dot(Math.floor(i / n), i % n));
    return {
      rows: Uint8Array.from(kept, (a) => ARKIT_BLENDSHAPES.indexOf(names[a]!)),
      gram: Float32Array.from({ length: k * k }, (_, i) => dot(kept[Math.floor(i / k)]!, kept[i % k]!) * (i % (k + 1) === 0 ? 1 + 1e-6 : 1)),
      basis: Float32Array.from({ length: k * n }, (_, i) => G[kept[Math.floor(i / n)]! * n + (i % n)]!),
      shapes: Float32Array.from({ length: k * n }, (_, i) => (kept[Math.floor(i / n)] === i % n ? 1 : 0)),
      eyeMetric: new Float32Array(n * n),
      otherMetric: Float32Array.from(G),
    };
  };
  const row = (name: (typeof names)[number]) => ARKIT_BLENDSHAPES.indexOf(name);

  it('holds one of a pair at 0 when the motion reads as both: the one whose holding explains the motion better', () => {
    const x = Float64Array.of(0.5, 0.3, 0.4); // as much smile as frown and more: both active without exclusivity
    const both = new ArkitProjector(projectionOf([0, 1, 2])).solve(x, undefined);
    expect(Math.min(both[row('mouthSmileLeft')]!, both[row('mouthFrownLeft')]!)).toBe(0);
    // The same as solving without the held shape, and no worse than holding the other.
    const residual = (w: Float32Array) => [0, 1, 2, 3].reduce((s, i) => s + ([0, 1, 2].reduce((d, a) => d + (w[row(names[a]!)]! - x[a]!) * motion[a]![i]!, 0)) ** 2, 0);
    const withoutFrown = new ArkitProjector(projectionOf([0, 2])).solve(x, undefined);
    const withoutSmile = new ArkitProjector(projectionOf([1, 2])).solve(x, undefined);
    const kept = both[row('mouthSmileLeft')]! > 0 ? withoutFrown : withoutSmile;
    for (const name of names) expect(both[row(name)]!).toBeCloseTo(kept[row(name)]!, 5);
    expect(residual(both)).toBeLessThanOrEqual(Math.min(residual(withoutFrown), residual(withoutSmile)) + 1e-9);
    // A single member is read back as it is.
    const alone = new ArkitProjector(projectionOf([0, 1, 2])).solve(Float64Array.of(0.5, 0, 0.4), undefined);
    expect(alone[row('mouthSmileLeft')]!).toBeCloseTo(0.5, 4);
    expect(alone[row('mouthFrownLeft')]!).toBe(0);
    expect(alone[row('jawOpen')]!).toBeCloseTo(0.4, 4);
  });
});

describe('FaceFitter on a model with an ARKit projection', () => {
  const kit = new SceneKit(model);
  const truths = kit.sequence(12, 6).map((t) => ({ ...t, expression: new Float64Array(t.expression.length), jointRotations: new Float64Array(t.jointRotations!.length) }));
  const lastArkit = (scores?: Float32Array) => {
    const fitter = new FaceFitter(model, { focalPx: TEST_CAMERA.focalPx });
    let arkit: Float32Array | undefined;
    truths.forEach((truth, t) => {
      const observation = kit.observe(truth, t);
      if (scores) observation.blendshapes = scores;
      arkit = fitter.fit(observation).arkit;
    });
    return arkit!;
  };

  it("reports ARKit weights through the projection, and MediaPipe's eye scores pull the fit towards the shapes they name", () => {
    const blink = ARKIT_BLENDSHAPES.indexOf('eyeBlinkLeft');
    const scores = new Float32Array(MEDIAPIPE_BLENDSHAPES.length);
    scores[MEDIAPIPE_BLENDSHAPES.indexOf('eyeBlinkLeft')] = 1;
    const neutral = lastArkit(), claimed = lastArkit(scores);
    expect(neutral[blink]!).toBeLessThan(0.05);
    expect(claimed[blink]!).toBeGreaterThan(0.5);
  });

  it("turns the eye joints as MediaPipe's eyeLook scores say, as the ARKit-named models' eyeLook coefficients", () => {
    // eyeLookUpLeft read off eye_L's pitch as a FLAME import reads it (a turn of 25° up reads 1).
    const eyeLeft = expressionCount + 3 * model.skeleton!.jointNames.indexOf('eye_L');
    const gazed = { ...model, arkitMap: { row: Uint8Array.of(ARKIT_BLENDSHAPES.indexOf('eyeLookUpLeft')), column: Uint16Array.of(eyeLeft), weight: Float32Array.of(-1 / EYE_PITCH_MAX_RAD) } };
    const fitted = (scores: Float32Array) => {
      const fitter = new FaceFitter(gazed, { focalPx: TEST_CAMERA.focalPx });
      let arkit: Float32Array | undefined;
      truths.forEach((truth, t) => (arkit = fitter.fit({ ...kit.observe(truth, t), blendshapes: scores }).arkit));
      return arkit![ARKIT_BLENDSHAPES.indexOf('eyeLookUpLeft')]!;
    };
    const up = new Float32Array(MEDIAPIPE_BLENDSHAPES.length);
    up[MEDIAPIPE_BLENDSHAPES.indexOf('eyeLookUpLeft')] = 0.8;
    expect(fitted(new Float32Array(MEDIAPIPE_BLENDSHAPES.length))).toBeLessThan(0.05);
    expect(fitted(up)).toBeGreaterThan(0.5);
  });
});
