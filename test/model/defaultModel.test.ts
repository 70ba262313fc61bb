import { readFileSync, statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { embeddingResidualsMm, residualSummary } from '../../scripts/default-model/mediapipeEmbedding.js';
import { MULTIPIE68_TO_MEDIAPIPE } from '../../src/authoring/registration/multipie68.js';
import { ARKIT_BLENDSHAPES, arkitMapFromNames } from '../../src/core/arkit.js';
import { parseObj } from '../../src/authoring/geometry/parseObj.js';
import type { FaceModel, SurfaceEmbedding } from '../../src/core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../src/core/model/FaceModelEvaluator.js';
import { vertexBasis } from '../../src/core/model/PointBasis.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';

const modelUrl = new URL('../../models/face-default.glb', import.meta.url);
const reference = JSON.parse(readFileSync(new URL('../fixtures/ict/reference-positions.json', import.meta.url), 'utf8')) as {
  vertices: number[];
  identity: number[];
  expressionWeights: Record<string, number>;
  identityOnly: number[];
  withExpression: number[];
};
const sample = JSON.parse(readFileSync(new URL('../fixtures/ict/sample_identity_coeffs.json', import.meta.url), 'utf8')) as {
  identity_coefficients: number[];
};
/**
 * Largest vertex error of the 16-bit quantized file against the float model, cm. The build
 * measured 0.095 mm over random coefficients (identity ~ N(0, 1), expressions ~ U(0, 1)).
 */
const QUANTIZATION_TOLERANCE_CM = 0.015;

let model: FaceModel;
beforeAll(async () => {
  model = await readFaceModel(new Uint8Array(readFileSync(modelUrl)));
});

/** Embedded points on the template, packed xyz (cm). */
function embeddedPoints(embedding: SurfaceEmbedding): Float32Array {
  const evaluator = new FaceModelEvaluator(model);
  return evaluator.evaluate(evaluator.embedded(embedding), {});
}

describe('bundled default face model (ICT FaceKit)', () => {
  it('is a small file with the model-level facts', () => {
    expect(statSync(modelUrl).size).toBeLessThanOrEqual(7e6);
    expect(model).toMatchObject({ name: 'ict-facekit', units: 'cm', metersPerUnit: 0.01, uvLayout: 'ict-facekit' });
    expect(model.licence).toMatch(/MIT/);
    expect(model.source).toMatch(/ICT/);
    expect(model.vertexCount).toBe(26783);
    expect(model.sourceVertex!.length).toBe(model.vertexCount);
    // ICT's OBJ up to its right iris shell (24590): the eye-shader layers and lashes after it are left out.
    expect(Math.max(...model.sourceVertex!)).toBe(24590);
  });

  it('has 100 identity modes (std 1) and the 53 fitting expressions under ARKit names, bounded to [0, 1]', () => {
    expect(model.identity.names.length).toBe(100);
    expect(Array.from(model.identity.std).every((s) => s === 1)).toBe(true);
    const names = model.expression.names;
    expect(names.length).toBe(53);
    expect(names).toContain('eyeBlinkLeft');
    expect(names).toContain('browInnerUpLeft');
    expect(names).toContain('cheekPuffRight');
    expect(names.filter((n) => /_[LR]$/.test(n))).toEqual([]);
    // Every name is an ARKit shape, or a left/right half of one that ARKit does not split.
    for (const n of names) expect(ARKIT_BLENDSHAPES.some((a) => n === a || n === `${a}Left` || n === `${a}Right`)).toBe(true);
    // The model drives 51 of ARKit's 52 shapes (all but tongueOut).
    expect(new Set(arkitMapFromNames(names)!.row).size).toBe(51);
    expect(Array.from(model.expression.min!).every((v) => v === 0)).toBe(true);
    expect(Array.from(model.expression.max!).every((v) => v === 1)).toBe(true);
  });

  it('has the 478 MediaPipe and 68 Multi-PIE embeddings and the fitting region', () => {
    expect(model.mediapipe478!.vertices.length).toBe(478 * 3);
    expect(model.multipie68!.vertices.length).toBe(68 * 3);
    for (const e of [model.mediapipe478!, model.multipie68!]) {
      for (let p = 0; p < e.weights.length / 3; p++) {
        const w = [0, 1, 2].map((k) => e.weights[3 * p + k]!);
        expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
        expect(w[0]! + w[1]! + w[2]!).toBeCloseTo(1, 5);
      }
    }
    // Upstream's 7,801 face-area vertices, every seam copy of each.
    const sources = new Set(Array.from(model.fittingRegion, (v) => model.sourceVertex![v]));
    expect(sources.size).toBe(7801);
    expect(model.fittingRegion.length).toBeGreaterThanOrEqual(7801);
  });

  it("embeds MediaPipe's points on mesh triangles, irises on the eyeballs", () => {
    const triangles = new Set<string>();
    for (let t = 0; t < model.triangles.length; t += 3) triangles.add(Array.from(model.triangles.subarray(t, t + 3)).sort().join());
    const e = model.mediapipe478!;
    for (let p = 0; p < 478; p++) {
      const corners = Array.from(e.vertices.subarray(3 * p, 3 * p + 3));
      expect(triangles.has([...corners].sort().join())).toBe(true);
      // ICT's eyeballs are OBJ vertices 21451–24590; the skin is 0–9408.
      const sources = corners.map((v) => model.sourceVertex![v]!);
      if (p >= 468) expect(sources.every((s) => s >= 21451 && s <= 24590)).toBe(true);
      else expect(sources.every((s) => s <= 9408)).toBe(true);
    }
  });

  it("describes MediaPipe's canonical face within a fraction of a millimetre", () => {
    const mediapipe = parseObj(readFileSync(new URL('../../models/mediapipe/face_model_with_iris.obj', import.meta.url), 'utf8')).positions;
    const residuals = residualSummary(embeddingResidualsMm(model, mediapipe));
    // The build measured a median of 0.24 mm and a 95th percentile of 0.68 mm.
    expect(residuals.medianMm).toBeLessThan(0.4);
    expect(residuals.p95Mm).toBeLessThan(1.2);
  });

  it("puts the subject's left (+X) where MediaPipe's left landmarks are", () => {
    const mp = embeddedPoints(model.mediapipe478!);
    const x = (i: number) => mp[3 * i]!;
    expect(x(263)).toBeGreaterThan(3); // left eye, outer corner
    expect(x(33)).toBeLessThan(-3); // right eye, outer corner
    expect(x(291)).toBeGreaterThan(1.5); // left mouth corner
    expect(x(473)).toBeGreaterThan(2); // left iris centre
    expect(x(468)).toBeLessThan(-2);
    const m68 = embeddedPoints(model.multipie68!);
    expect(m68[3 * 45]!).toBeGreaterThan(3); // Multi-PIE 45: left eye, outer corner
    // eyeBlinkLeft closes the +X eye: MediaPipe 386 (left upper lid) moves down, 159 (right) stays.
    const ev = new FaceModelEvaluator(model);
    const basis = ev.embedded(model.mediapipe478!);
    const blink = model.expression.names.map((n) => (n === 'eyeBlinkLeft' ? 1 : 0));
    const closed = ev.evaluate(basis, { expression: blink });
    const rest = ev.evaluate(basis, {});
    expect(closed[3 * 386 + 1]! - rest[3 * 386 + 1]!).toBeLessThan(-0.3);
    expect(Math.abs(closed[3 * 159 + 1]! - rest[3 * 159 + 1]!)).toBeLessThan(0.01);
  });

  it("puts the 68 Multi-PIE (iBUG 300-W) points on MediaPipe's points at the standard correspondence, for any identity and expression", () => {
    const ev = new FaceModelEvaluator(model);
    const coefficients = { identity: sample.identity_coefficients.slice(0, model.identity.names.length), expression: model.expression.names.map((n) => (n === 'jawOpen' ? 0.5 : n === 'mouthSmileLeft' ? 0.7 : 0)) };
    const points478 = ev.evaluate(ev.embedded(model.mediapipe478!), coefficients);
    const points68 = ev.evaluate(ev.embedded(model.multipie68!), coefficients);
    const offsetsCm = MULTIPIE68_TO_MEDIAPIPE.map((m, i) => Math.hypot(...[0, 1, 2].map((c) => points68[3 * i + c]! - points478[3 * m + c]!)));
    expect(Math.max(...offsetsCm)).toBeLessThan(1e-4);
  });

  it("reproduces the float model with upstream's sample identity within the quantization tolerance", () => {
    expect(reference.identity).toEqual(sample.identity_coefficients.slice(0, 100));
    const ev = new FaceModelEvaluator(model);
    const basis = vertexBasis(model, reference.vertices);
    const expression = model.expression.names.map((n) => reference.expressionWeights[n] ?? 0);
    expect(expression.filter((w) => w > 0).length).toBe(Object.keys(reference.expressionWeights).length);
    for (const [coefficients, expected] of [
      [{ identity: reference.identity }, reference.identityOnly],
      [{ identity: reference.identity, expression }, reference.withExpression],
    ] as const) {
      const got = ev.evaluate(basis, coefficients);
      let worst = 0;
      for (let p = 0; p < reference.vertices.length; p++) {
        worst = Math.max(worst, Math.hypot(got[3 * p]! - expected[3 * p]!, got[3 * p + 1]! - expected[3 * p + 1]!, got[3 * p + 2]! - expected[3 * p + 2]!));
      }
      expect(worst).toBeLessThan(QUANTIZATION_TOLERANCE_CM);
    }
  });
});
