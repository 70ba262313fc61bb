import { describe, expect, it } from 'vitest';
import { FaceFitter } from '../../src/core/fit/FaceFitter.js';
import { TrackerError } from '../../src/core/errors.js';
import { SceneKit, TEST_CAMERA } from './utils/fitHarness.js';
import { smallFaceModel } from './utils/smallFaceModel.js';

describe('FaceFitter option landmarkWeights', () => {
  it('weighs each landmark: points a detector misplaces, weighted 0, no longer pull the fit off', () => {
    const kit = new SceneKit(smallFaceModel());
    const truths = kit.sequence(15, 5);
    // Every 4th landmark sits 12 px to the right in every frame: a detector's bias on those points.
    const biasedObservations = () =>
      truths.map((truth, t) => {
        const observation = kit.observe(truth, t);
        for (let i = 0; i < observation.landmarks.length / 2; i += 4) observation.landmarks[2 * i] += 12;
        return observation;
      });
    const count = kit.observe(truths[0]!, 0).landmarks.length / 2;
    const plain = kit.trackObservations(new FaceFitter(kit.model, { focalPx: TEST_CAMERA.focalPx }), truths, biasedObservations());
    const landmarkWeights = Array.from({ length: count }, (_, i) => (i % 4 === 0 ? 0 : 1));
    const weighted = kit.trackObservations(new FaceFitter(kit.model, { focalPx: TEST_CAMERA.focalPx, landmarkWeights }), truths, biasedObservations());
    expect(plain.finalRawErrorMm).toBeGreaterThan(0.3);
    expect(weighted.finalRawErrorMm).toBeLessThan(0.5 * plain.finalRawErrorMm);
  });

  it('rejects weights of the wrong count, negative or not finite with a TrackerError naming the count', () => {
    const model = smallFaceModel();
    const count = new SceneKit(model).landmarks.count;
    for (const landmarkWeights of [[1, 1], Array(count).fill(-1), Array(count).fill(Number.NaN)]) {
      let thrown: unknown;
      try {
        new FaceFitter(model, { landmarkWeights });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TrackerError);
      expect((thrown as TrackerError).code).toBe('invalid-input');
      expect((thrown as TrackerError).message).toContain(`${count} finite weights`);
    }
  });
});
