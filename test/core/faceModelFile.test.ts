import { describe, expect, it } from 'vitest';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../src/core/model/FaceModelEvaluator.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { writeFaceModel } from '../../src/authoring/writeFaceModel.js';
import { TrackerError } from '../../src/core/errors.js';

/** A two-triangle quad with a 2-joint skeleton: small enough to check by hand. */
function quadModel(skinned: boolean): FaceModel {
  const template = Float32Array.from([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
  const deltas = (k: number) => Float32Array.from({ length: k * 12 }, (_, i) => Math.sin(i + k) * 0.1);
  const model: FaceModel = {
    name: 'quad', units: 'cm', metersPerUnit: 0.01, uvLayout: 'quad', licence: 'MIT', source: 'test',
    vertexCount: 4, template,
    uvs: Float32Array.from([0, 0, 1, 0, 1, 1, 0, 1]),
    triangles: Uint32Array.from([0, 1, 2, 0, 2, 3]),
    identity: { names: ['id0', 'id1'], deltas: deltas(2), std: Float32Array.from([1, 1]) },
    expression: { names: ['jawOpen'], deltas: deltas(1), std: Float32Array.from([1]), min: Float32Array.of(0), max: Float32Array.of(1) },
    fittingRegion: Uint32Array.from([0, 1, 2]),
    mediapipe478: { vertices: Uint32Array.from([0, 1, 2]), weights: Float32Array.from([0.2, 0.3, 0.5]) },
  };
  if (!skinned) return model;
  return {
    ...model,
    poseCorrectives: { names: Array.from({ length: 9 }, (_, i) => `pose${i}`), deltas: deltas(9), std: new Float32Array(9).fill(1) },
    skeleton: {
      jointNames: ['root', 'jaw'], parents: Int32Array.from([-1, 0]), influences: 2,
      skinJoints: Uint16Array.from([0, 1, 0, 1, 0, 1, 0, 1]),
      skinWeights: Float32Array.from([1, 0, 0.5, 0.5, 0, 1, 0.25, 0.75]),
      regressor: { joint: Uint32Array.from([0, 1, 1]), vertex: Uint32Array.from([0, 1, 2]), weight: Float32Array.from([1, 0.5, 0.5]) },
    },
  };
}

describe('face model .glb', () => {
  it('round-trips an unskinned model exactly and a compressed one within quantization error', async () => {
    const model = quadModel(false);
    const exact = await readFaceModel(await writeFaceModel(model));
    expect(Array.from(exact.template)).toEqual(Array.from(model.template));
    expect(Array.from(exact.expression.deltas)).toEqual(Array.from(model.expression.deltas));
    expect(exact.expression.names).toEqual(['jawOpen']);
    expect(Array.from(exact.expression.max!)).toEqual([1]);
    expect(Array.from(exact.mediapipe478!.vertices)).toEqual([0, 1, 2]);

    const compressed = await readFaceModel(await writeFaceModel(model, { compress: true }));
    const err = Math.max(...Array.from(compressed.identity.deltas, (v, i) => Math.abs(v - model.identity.deltas[i]!)));
    expect(err).toBeLessThan(1e-4);
    const errT = Math.max(...Array.from(compressed.template, (v, i) => Math.abs(v - model.template[i]!)));
    expect(errT).toBeLessThan(1e-4);
  });

  it('round-trips a skinned model and poses it with LBS', async () => {
    const model = quadModel(true);
    const read = await readFaceModel(await writeFaceModel(model));
    expect(read.skeleton!.jointNames).toEqual(['root', 'jaw']);
    const ev = new FaceModelEvaluator({ ...read, poseCorrectives: { ...read.poseCorrectives!, deltas: new Float32Array(9 * 12) } });
    // The jaw joint regresses to (v1 + v2) / 2 = (1, 0.5, 0); vertex 2 = (1, 1, 0) is fully on the jaw, so a
    // 90° turn about Z takes it to (0.5, 0.5, 0); vertex 1 = (1, 0, 0), half on each joint, to (1.25, 0.25, 0).
    const posed = ev.evaluateMesh({ jointRotations: [0, 0, 0, 0, 0, Math.PI / 2] });
    expect(Array.from(posed.subarray(3, 9), (v) => +v.toFixed(6))).toEqual([1.25, 0.25, 0, 0.5, 0.5, 0]);
    expect(Array.from(new FaceModelEvaluator(model).evaluateMesh({}))).toEqual(Array.from(model.template));
  });

  it('round-trips the ARKit map and projection of a model whose expressions are not ARKit shapes, and refuses malformed ones', async () => {
    // Inputs: the one expression, then 2 joints × 3 rotations.
    const inputs = 7;
    const model: FaceModel = {
      ...quadModel(true),
      arkitMap: { row: Uint8Array.of(1), column: Uint16Array.of(4), weight: Float32Array.of(2) },
      arkitProjection: {
        rows: Uint8Array.of(17),
        gram: Float32Array.of(1.5),
        basis: Float32Array.from({ length: inputs }, (_, k) => k / 7),
        shapes: Float32Array.from({ length: inputs }, (_, k) => k === 0 || k === 4 ? 1 : 0),
        eyeMetric: Float32Array.from({ length: inputs * inputs }, (_, i) => i % 8 === 0 ? 1 : 0),
        otherMetric: Float32Array.from({ length: inputs * inputs }, (_, i) => i / 49),
      },
    };
    const read = await readFaceModel(await writeFaceModel(model));
    expect(read.arkitMap).toEqual(model.arkitMap);
    expect(read.arkitProjection).toEqual(model.arkitProjection);
    const malformed = { ...model, arkitProjection: { ...model.arkitProjection!, basis: Float32Array.of(1, 2) } };
    await expect(readFaceModel(await writeFaceModel(malformed))).rejects.toMatchObject({ code: 'model-format', message: expect.stringMatching(/ARKit projection is malformed.*basis 7/) });
    const outOfRange = { ...model, arkitMap: { ...model.arkitMap!, column: Uint16Array.of(7) } };
    await expect(readFaceModel(await writeFaceModel(outOfRange))).rejects.toMatchObject({ code: 'model-format', message: expect.stringMatching(/ARKit map is malformed/) });
  });

  it('rejects bytes that are not a face model with a typed error', async () => {
    await expect(readFaceModel(new TextEncoder().encode('definitely not a glb file'))).rejects.toMatchObject({ code: 'model-format' });
    const good = await writeFaceModel(quadModel(false));
    await expect(readFaceModel(good.slice(0, good.length - 40))).rejects.toBeInstanceOf(TrackerError);
  });
});
