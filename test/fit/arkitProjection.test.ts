/**
 * ARKit weights of models whose expressions are not ARKit shapes (FLAME's): the bounded projection
 * onto the ARKit shapes, and MediaPipe's scores steering such a model's fit through the shapes.
 */
import { describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES, mediapipeScoreIndex } from '../../src/core/arkit.js';
import { ARKIT_SCORE_WEIGHT, ArkitProjector } from '../../src/core/arkitProjection.js';
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

  it("lets MediaPipe's scores settle only what the motion leaves open: a shape's full motion outweighs its score 1/ρ to 1", () => {
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

  it('keeps weights in [0, 1] for motion beyond the shapes, and refuses a malformed projection', () => {
    const { expression, joints } = inputsOf(Array.from({ length: m }, (_, a) => (a % 2 ? 3 : -2)));
    const arkit = new ArkitProjector(projection).solve(expression, joints);
    for (const v of arkit) expect(v >= 0 && v <= 1).toBe(true);
    expect(() => new ArkitProjector({ ...projection, gram: projection.gram.subarray(1) })).toThrow(/malformed/);
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
});
