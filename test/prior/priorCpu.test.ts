/**
 * The prior's CPU pieces (the references of the GPU kernels, and the WASM path) and the
 * tracking-worker side: preprocessing, the UV lookup grid, the TTA merge, records → fitter
 * correspondences, head-motion compensation, candidate vertices; and the whole CPU chain on the
 * tiny network, whose frontal bias says where each vertex should be found.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaceCropTracker } from '../../src/core/image/FaceCropTracker.js';
import { MEDIAPIPE_FACE_OVAL } from '../../src/core/image/mediapipeContour.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { embeddedBasis } from '../../src/core/model/PointBasis.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { cropSourceRect, cropTaps } from '../../src/core/image/cropGeometry.js';
import { denseLookupCpu } from '../../src/workers/prior/kernels/denseLookupCpu.js';
import { DENSE_RECORD_FLOATS } from '../../src/workers/priorProtocol.js';
import { mergeMirroredCpu } from '../../src/workers/prior/kernels/mergeMirroredCpu.js';
import { IMAGENET_MEAN, IMAGENET_STD, preprocessCropCpu } from '../../src/workers/prior/kernels/preprocessCropCpu.js';
import { selectCandidateVertices, uvMirrorCentre } from '../../src/workers/tracking/prior/candidateVertices.js';
import { denseFromRecords } from '../../src/workers/tracking/prior/denseFromRecords.js';
import { applyLandmarkMotion, fitLandmarkMotion } from '../../src/workers/tracking/prior/landmarkMotion.js';

const repo = new URL('../../', import.meta.url).pathname;
let model: FaceModel;
beforeAll(async () => {
  model = await readFaceModel(new Uint8Array(readFileSync(`${repo}models/face-default.glb`)));
});

/** A square outline covering the whole map. */
const fullOutline = (size: number) => Float32Array.of(0, 0, size, 0, size, size, 0, size);

describe('preprocessCropCpu', () => {
  it('normalises with ImageNet mean/std, pads outside the frame with black, and mirrors', () => {
    const rect = { x: 0, y: 0, width: 8, height: 4 };
    const data = new Uint8Array(4 * 32);
    for (let i = 0; i < 32; i++) data.set([255, 128, (i % 8) * 30, 255], 4 * i); // blue grows with x
    const size = 4;
    // The crop's left half lies off the frame: black there.
    const out = preprocessCropCpu({ data, rect }, { x: -4, y: 0, size: 8 }, size);
    const plane = size * size;
    expect(out[0]).toBeCloseTo(-IMAGENET_MEAN[0] / IMAGENET_STD[0], 5);
    expect(out[3]).toBeCloseTo((1 - IMAGENET_MEAN[0]) / IMAGENET_STD[0], 5);
    expect(out[plane + 3]).toBeCloseTo((128 / 255 - IMAGENET_MEAN[1]) / IMAGENET_STD[1], 5);
    const mirrored = preprocessCropCpu({ data, rect }, { x: -4, y: 0, size: 8 }, size, true);
    for (let row = 0; row < size; row++) for (let col = 0; col < size; col++) expect(mirrored[2 * plane + row * size + col]).toBeCloseTo(out[2 * plane + row * size + size - 1 - col]!, 6);
  });

  it('averages enough samples when shrinking, and reads one pixel of margin', () => {
    expect(cropTaps({ x: 0, y: 0, size: 128 }, 128)).toBe(1);
    expect(cropTaps({ x: 0, y: 0, size: 300 }, 128)).toBe(3);
    expect(cropTaps({ x: 0, y: 0, size: 5000 }, 128)).toBe(4);
    expect(cropSourceRect({ x: 10.5, y: -20, size: 100 }, 640, 480)).toEqual({ x: 9, y: 0, width: 103, height: 81 });
    expect(cropSourceRect({ x: 700, y: 0, size: 50 }, 640, 480)).toBeNull();
  });
});

describe('denseLookupCpu', () => {
  // A known map: uv = affine(pixel), so each vertex's true pixel is known in closed form.
  const size = 64;
  const toUv = (x: number, y: number): [number, number] => [(x - 32) / 30 + 0.1 * ((y - 32) / 30), (y - 32) / 28];
  const maps = () => {
    const plane = size * size, uv = new Float32Array(2 * plane), normals = new Float32Array(3 * plane);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        [uv[y * size + x], uv[plane + y * size + x]] = toUv(x + 0.5, y + 0.5);
        normals[2 * plane + y * size + x] = 2; // unnormalised on purpose
      }
    }
    return { uv, normals };
  };

  it('finds each vertex at sub-pixel precision and returns unit normals', () => {
    const truth = [[20.3, 30.7], [40.1, 12.9], [50.5, 50.5], [5.2, 33.3]];
    const vertexUvs = Float32Array.from(truth.flatMap(([x, y]) => toUv(x!, y!)));
    const r = denseLookupCpu({ size, ...maps(), vertexUvs, polygon: fullOutline(size), gridSize: 32 });
    truth.forEach(([x, y], k) => {
      const o = k * DENSE_RECORD_FLOATS;
      expect(Math.hypot(r[o]! - x!, r[o + 1]! - y!)).toBeLessThan(0.01);
      expect(r[o + 2]).toBeLessThan(0.05); // the chosen pixel's own UV distance (before sub-pixel)
      expect([r[o + 3], r[o + 4], r[o + 5]]).toEqual([0, 0, 1]);
    });
  });

  it('ignores pixels outside the face outline and UVs nobody predicts', () => {
    const vertexUvs = Float32Array.from([...toUv(10.5, 10.5), ...toUv(40.5, 40.5), 0.99, -0.99]);
    const outline = Float32Array.of(30, 30, 60, 30, 60, 60, 30, 60);
    const r = denseLookupCpu({ size, ...maps(), vertexUvs, polygon: outline, gridSize: 32 });
    expect(r[0]).toBe(-1); // its pixel is outside the outline
    expect(Math.hypot(r[DENSE_RECORD_FLOATS]! - 40.5, r[DENSE_RECORD_FLOATS + 1]! - 40.5)).toBeLessThan(0.01);
    expect(r[2 * DENSE_RECORD_FLOATS]).toBe(-1); // no pixel near that UV
  });
});

describe('mergeMirroredCpu', () => {
  it('averages the un-mirrored second pass: mirror-consistent maps are unchanged (UVs about the layout\'s centre), normals keep unit length', () => {
    const size = 8, plane = 64;
    const plain = { uv: new Float32Array(2 * plane), normals: new Float32Array(3 * plane) };
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const k = y * size + x;
        plain.uv.set([(x - 3.5) / 4], k);
        plain.uv[plane + k] = (y - 3.5) / 4;
        const n = [(x - 3.5) / 8, 0.2, 1], len = Math.hypot(...n);
        n.forEach((v, c) => (plain.normals[c * plane + k] = v / len));
      }
    }
    // ICT FaceKit's layout is symmetric about u = 0; Pixel3DMM's FLAME layout about 0.0075.
    for (const centre of [0, 0.0075]) {
      // What the network predicts for the mirrored image of a symmetric face: the mirror of the maps.
      const mirrored = { uv: new Float32Array(2 * plane), normals: new Float32Array(3 * plane) };
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const k = y * size + x, m = y * size + size - 1 - x;
          mirrored.uv[k] = 2 * centre - plain.uv[m]!;
          mirrored.uv[plane + k] = plain.uv[plane + m]!;
          mirrored.normals[k] = -plain.normals[m]!;
          mirrored.normals[plane + k] = plain.normals[plane + m]!;
          mirrored.normals[2 * plane + k] = plain.normals[2 * plane + m]!;
        }
      }
      const merged = mergeMirroredCpu(plain, mirrored, size, centre);
      for (let i = 0; i < 2 * plane; i++) expect(merged.uv[i]).toBeCloseTo(plain.uv[i]!, 6);
      for (let i = 0; i < 3 * plane; i++) expect(merged.normals[i]).toBeCloseTo(plain.normals[i]!, 6);
    }
    // Without a symmetric layout the UVs are the plain pass's.
    expect(mergeMirroredCpu(plain, { uv: new Float32Array(2 * plane), normals: plain.normals }, size, undefined).uv).toEqual(plain.uv);
  });
});

describe('records → correspondences, head motion', () => {
  it('maps records to frame pixels, drops unseen, far-in-UV and back-facing ones, weights by UV distance', () => {
    const records = Float32Array.from([
      [64, 32, 0, 0, 0, 1], // kept, exact
      [-1, -1, 0, 0, 0, 0], // not seen
      [10, 10, 0.5, 0, 0, 1], // too far in UV
      [10, 10, 0, 0, 0, -1], // faces away
      [0, 128, 0.05, 0.6, 0, 0.8], // kept, half the limit
    ].flat());
    const dense = denseFromRecords(records, Uint32Array.of(5, 6, 7, 8, 9), { x: 100, y: 50, size: 256 }, 128, 42, { maxUvDistance: 0.1, minNormalZ: 0 });
    expect(Array.from(dense.vertices)).toEqual([5, 9]);
    expect(Array.from(dense.pixels)).toEqual([228, 114, 100, 306]);
    expect(Array.from(dense.weights!)).toEqual([1, 0.75]);
    expect(Array.from(dense.normals!)).toEqual([0, 0, 1, 0.6000000238418579, 0, 0.800000011920929]);
    expect(dense.timeMs).toBe(42);
  });

  it('recovers a known affine motion from landmarks and applies it', () => {
    const from = new Float32Array(2 * 478), to = new Float32Array(2 * 478);
    for (let i = 0; i < 478; i++) {
      const x = 300 + 100 * Math.cos(i), y = 200 + 120 * Math.sin(i * 1.7);
      from.set([x, y], 2 * i);
      to.set([0.98 * x - 0.1 * y + 25, 0.1 * x + 0.99 * y - 7], 2 * i);
    }
    const motion = fitLandmarkMotion(from, to)!;
    expect(motion.rmsPx).toBeLessThan(1e-3);
    const moved = applyLandmarkMotion(motion, Float32Array.of(310, 205));
    expect(moved[0]).toBeCloseTo(0.98 * 310 - 0.1 * 205 + 25, 2);
    expect(moved[1]).toBeCloseTo(0.1 * 310 + 0.99 * 205 - 7, 2);
    expect(fitLandmarkMotion(new Float32Array(10).fill(3), new Float32Array(10))).toBeNull();
  });
});

describe('candidate vertices', () => {
  it('spreads at most 2000 fitting-region vertices over UV space; ICT FaceKit UVs are mirror-symmetric about u = 0', () => {
    const c = selectCandidateVertices(model);
    expect(c.vertices.length).toBeGreaterThan(1000);
    expect(c.vertices.length).toBeLessThanOrEqual(2000);
    const region = new Set(model.fittingRegion);
    expect([...c.vertices].every((v) => region.has(v))).toBe(true);
    expect(c.uvs[0]).toBeCloseTo(2 * model.uvs[2 * c.vertices[0]!]! - 1, 6);
    expect(uvMirrorCentre(model)).toBe(0);
    // A layout moved right by 0.0075 in [-1, 1] (0.00375 in UV): symmetric about u = 0.0075.
    const moved = { ...model, uvs: model.uvs.map((v, i) => (i % 2 ? v : v + 0.00375)) };
    expect(uvMirrorCentre(moved)).toBeCloseTo(0.0075, 5);
    // Tilted (v grows with u): no mirror about any u keeps v.
    const tilted = { ...model, uvs: model.uvs.map((v, i, uvs) => (i % 2 ? v + 0.1 * uvs[i - 1]! : v)) };
    expect(uvMirrorCentre(tilted)).toBeUndefined();
  });
});

describe('the CPU chain on the tiny network', () => {
  it("finds the candidate vertices near where the network's frontal bias puts them", async () => {
    const size = 128;
    const session = await ort.InferenceSession.create(readFileSync(`${repo}models/test-networks/tiny-vit-128.onnx`));
    // Any image: the random content moves UVs by at most 0.02 around the frontal bias.
    const input = Float32Array.from({ length: 3 * size * size }, (_, i) => Math.sin(i * 0.37));
    const out = await session.run({ image: new ort.Tensor('float32', input, [1, 3, size, size]) });
    // The frontal view of the neutral template, as the bias was rendered: crop from the embedded landmarks.
    const points3d = embeddedBasis(model, model.mediapipe478!).base;
    const landmarks = Float32Array.from({ length: 956 }, (_, i) => (i % 2 ? -points3d[3 * (i >> 1) + 1]! : points3d[3 * (i >> 1)]!));
    const crop = new FaceCropTracker().update(landmarks, 0);
    const toMap = (x: number, y: number): [number, number] => [((x - crop.x) / crop.size) * size, ((y - crop.y) / crop.size) * size];
    const outline = Float32Array.from(MEDIAPIPE_FACE_OVAL.flatMap((i) => toMap(landmarks[2 * i]!, landmarks[2 * i + 1]!)));
    const candidates = selectCandidateVertices(model);
    const records = denseLookupCpu({ size, uv: out['uv']!.data as Float32Array, normals: out['normals']!.data as Float32Array, vertexUvs: candidates.uvs, polygon: outline, gridSize: size / 2 });
    const dense = denseFromRecords(records, candidates.vertices, crop, size, 0, { maxUvDistance: 3 / (size / 2), minNormalZ: 0 });
    expect(dense.vertices.length).toBeGreaterThan(300);
    const errors = Array.from(dense.vertices, (v, i) => Math.hypot(dense.pixels[2 * i]! - model.template[3 * v]!, dense.pixels[2 * i + 1]! + model.template[3 * v + 1]!) / crop.size);
    errors.sort((a, b) => a - b);
    // Median error under 2% of the crop (about 2.5 map pixels), though the content perturbs the UVs.
    expect(errors[Math.floor(errors.length / 2)]!).toBeLessThan(0.02);
  });
});
