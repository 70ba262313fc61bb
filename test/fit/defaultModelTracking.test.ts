import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SparsePointBasis } from '../../src/core/fit/SparsePointBasis.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { rng } from './utils/smallFaceModel.js';
import { SceneKit, TEST_CAMERA } from './utils/fitHarness.js';

// Synthetic scenes on the bundled default model (ICT FaceKit, cm): random identity, a smooth
// 60-frame sequence of head motion (±30° yaw, ±20° pitch/roll) and sparse expressions, tracked
// from a neutral start with warm starts. Errors: median over the fitting region, mm, after
// similarity alignment (absolute scale is invisible to one camera), over the last 10 frames.
let kit: SceneKit;
let model: FaceModel;

beforeAll(async () => {
  model = await readFaceModel(readFileSync(new URL('../../models/face-default.glb', import.meta.url)));
  kit = new SceneKit(model);
});

describe('FaceFitter on the default model', () => {
  it('keeps the sparse expression basis within 0.05 mm of the full model', () => {
    const basis = new SparsePointBasis(kit.landmarks, model.expression, model.identity.names.length, (0.01e-3) / model.metersPerUnit);
    const random = rng(11);
    const expression = Float64Array.from({ length: model.expression.names.length }, () => random());
    const full = kit.evaluator.evaluate(kit.landmarks, { expression });
    let worst = 0;
    for (let p = 0; p < basis.count; p++) {
      const d = [0, 1, 2].map((c) => basis.base[3 * p + c]!);
      for (let k = basis.expressionStart[p]!; k < basis.expressionStart[p + 1]!; k++) {
        for (let c = 0; c < 3; c++) d[c] += expression[basis.expressionIndex[k]!]! * basis.expressionDelta[3 * k + c]!;
      }
      worst = Math.max(worst, Math.hypot(d[0]! - full[3 * p]!, d[1]! - full[3 * p + 1]!, d[2]! - full[3 * p + 2]!) * 10);
    }
    expect(worst).toBeLessThan(0.05);
    // ...while dropping a real share of the entries (what makes the normal equations cheap).
    expect(basis.meanExpressionEntries).toBeLessThan(0.6 * model.expression.names.length);
  });

  it('tracks exact landmarks to ≤ 1 mm and freezes identity', () => {
    const truths = kit.sequence(60, 3);
    const run = kit.track(truths, { focalPx: TEST_CAMERA.focalPx });
    expect(run.errorsMm[0]!).toBeGreaterThan(1); // from neutral: identity still unknown
    expect(run.finalErrorMm).toBeLessThan(1.0);
    expect(run.finalRawErrorMm).toBeLessThan(2.0);
    expect(run.fits.at(-1)!.stats.identityFrozen).toBe(true);
    expect(run.fits.at(-1)!.stats.landmarkRmsPx).toBeLessThan(0.5);
    // Warm-started frames need few evaluations.
    const iterations = run.fits.slice(10).map((f) => f.stats.iterations);
    expect(Math.max(...iterations)).toBeLessThanOrEqual(5);
  });

  it('tracks landmarks with σ = 1 px noise and 5 % outliers to ≤ 2.5 mm', () => {
    const truths = kit.sequence(60, 4);
    const run = kit.track(truths, { focalPx: TEST_CAMERA.focalPx }, { noise: { sigmaPx: 1, outlierFraction: 0.05, outlierPx: 30 } });
    expect(run.finalErrorMm).toBeLessThan(2.5);
    // Outliers neither drag the fit (a redescending loss) nor keep identity from being estimated
    // (frames are judged by their median landmark distance).
    expect(run.fits.at(-1)!.stats.identityFrozen).toBe(true);
  });

  it('tracks with dense UV and normal maps to ≤ 0.5 mm, better than landmarks alone', () => {
    const truths = kit.sequence(60, 3);
    const dense = kit.track(truths, { focalPx: TEST_CAMERA.focalPx }, { mapSize: 256 });
    const landmarksOnly = kit.track(truths, { focalPx: TEST_CAMERA.focalPx });
    expect(Math.min(...dense.fits.slice(5).map((f) => f.stats.denseCount))).toBeGreaterThan(500);
    expect(dense.finalErrorMm).toBeLessThan(0.5);
    expect(dense.finalErrorMm).toBeLessThan(landmarksOnly.finalErrorMm);
  });
});
