/**
 * Registering the bundled default model onto FLAME's real template (Pixel3DMM's head_template.obj:
 * FLAME's mean head, 5023 vertices, metres): how close the two faces get, and where MediaPipe's
 * points land on FLAME.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseObj } from '../../src/authoring/geometry/parseObj.js';
import { mediapipeRegions, registerReference, transferEmbedding, type ReferenceRegistration, type RegistrationTarget } from '../../src/authoring/registration/registerReference.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { quantile } from '../../src/core/math/quantile.js';

/** FLAME's vertex layout: the head 0–3930, then the two eyeballs. */
const FLAME_HEAD_VERTICES = 3931;

function flameTarget(): RegistrationTarget {
  const obj = parseObj(readFileSync(new URL('../fixtures/pixel3dmm/head_template.obj', import.meta.url), 'utf8'));
  const triangles: number[] = [];
  let offset = 0;
  for (const size of obj.faceSizes) {
    for (let k = 1; k + 1 < size; k++) triangles.push(obj.positionIndex[offset]!, obj.positionIndex[offset + k]!, obj.positionIndex[offset + k + 1]!);
    offset += size;
  }
  const skin: number[] = [], left: number[] = [], right: number[] = [];
  for (let t = 0; t < triangles.length / 3; t++) {
    const corners = [0, 1, 2].map((k) => triangles[3 * t + k]!);
    if (corners.every((v) => v < FLAME_HEAD_VERTICES)) skin.push(t);
    else if (corners.every((v) => v >= FLAME_HEAD_VERTICES)) (obj.positions[3 * corners[0]!]! > 0 ? left : right).push(t);
  }
  return { positions: obj.positions, triangles: Uint32Array.from(triangles), skinTriangles: Uint32Array.from(skin), leftEyeTriangles: Uint32Array.from(left), rightEyeTriangles: Uint32Array.from(right) };
}

describe('registering the default model onto FLAME', () => {
  let reference: FaceModel;
  let target: RegistrationTarget;
  let registration: ReferenceRegistration;
  beforeAll(async () => {
    reference = await readFaceModel(new Uint8Array(readFileSync(new URL('../../models/face-default.glb', import.meta.url))));
    target = flameTarget();
    registration = registerReference(reference, target, { targetMetersPerUnit: 1 });
  }, 120_000);

  it('lays the default model\'s face onto FLAME\'s, closer after the identity fit than rigidly', () => {
    const median = quantile(Array.from(registration.faceDistancesMm), 0.5), p95 = quantile(Array.from(registration.faceDistancesMm), 0.95);
    const rigidMedian = quantile(Array.from(registration.rigidFaceDistancesMm), 0.5);
    console.log(`face distance after the fit: median ${median.toFixed(2)} mm, p95 ${p95.toFixed(2)} mm (rigid: median ${rigidMedian.toFixed(2)} mm)`);
    expect(median).toBeLessThan(rigidMedian);
    expect(median).toBeLessThan(1);
    expect(p95).toBeLessThan(4);
    expect(registration.transform.scale).toBeCloseTo(0.01, 2); // cm → m
  });

  it('carries MediaPipe\'s points onto FLAME: on its surface, at the anatomy they name', () => {
    const { embedding, distancesMm } = transferEmbedding(registration, reference.mediapipe478!, mediapipeRegions(target), target, 1);
    const skin = Array.from(distancesMm.subarray(0, 468));
    console.log(`MediaPipe points to FLAME: median ${quantile(skin, 0.5).toFixed(2)} mm, p95 ${quantile(skin, 0.95).toFixed(2)} mm`);
    expect(quantile(skin, 0.5)).toBeLessThan(1);
    const at = (point: number) => [0, 1, 2].map((c) => [0, 1, 2].reduce((s, k) => s + embedding.weights[3 * point + k]! * target.positions[3 * embedding.vertices[3 * point + k]! + c]!, 0));
    // The subject's left eye's outer corner (263) is at +X, the right's (33) at −X, both above the mouth corners (61, 291).
    expect(at(263)[0]!).toBeGreaterThan(0.03);
    expect(at(33)[0]!).toBeLessThan(-0.03);
    expect(at(263)[1]!).toBeGreaterThan(at(291)[1]! + 0.03);
    // The nose tip (1) is the most forward of them; the irises land on their own eyeballs.
    expect(at(1)[2]!).toBeGreaterThan(Math.max(at(33)[2]!, at(263)[2]!, at(61)[2]!) + 0.01);
    for (const iris of [468, 473]) expect(embedding.vertices.subarray(3 * iris, 3 * iris + 3).every((v) => v >= FLAME_HEAD_VERTICES)).toBe(true);
  });
});
