/**
 * The prior contract in Node: ONNX metadata read from the bytes, the checks that refuse broken
 * networks (with onnxruntime-node sessions of the same files the browser loads), and the test
 * network builder's output.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrackerError } from '../../src/core/errors.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { ProtoWriter, readFields } from '../../src/core/encoding/protobufWire.js';
import { readOnnxMetadata } from '../../src/workers/prior/onnx/readOnnxMetadata.js';
import { checkPriorSession, PRIOR_METADATA_KEYS, readPriorSpec } from '../../src/workers/prior/priorContract.js';
import { buildTinyNetwork, metadataFor } from '../../scripts/onnx/testNetworks.js';

const repo = new URL('../../', import.meta.url).pathname;
let model: FaceModel;
beforeAll(async () => {
  model = await readFaceModel(new Uint8Array(readFileSync(`${repo}models/face-default.glb`)));
});

const errorOf = (f: () => unknown): TrackerError => {
  try {
    f();
  } catch (e) {
    return e as TrackerError;
  }
  throw new Error('expected an error');
};

describe('protobuf wire format', () => {
  it('round-trips varints (incl. negative int64), floats, strings and nested messages', () => {
    const bytes = new ProtoWriter().varint(1, 300).varint(2, -1).float(3, 1.5).string(4, 'ok').message(5, new ProtoWriter().varint(1, 7)).finish();
    const fields = [...readFields(bytes)];
    expect(fields.map((f) => f.field)).toEqual([1, 2, 3, 4, 5]);
    expect(fields[0]!.varint).toBe(300n);
    expect(BigInt.asIntN(64, fields[1]!.varint!)).toBe(-1n);
    expect(new DataView(fields[2]!.bytes!.buffer, fields[2]!.bytes!.byteOffset).getFloat32(0, true)).toBe(1.5);
    expect(new TextDecoder().decode(fields[3]!.bytes)).toBe('ok');
    expect([...readFields(fields[4]!.bytes!)][0]!.varint).toBe(7n);
  });

  it('rejects truncated input', () => {
    expect(() => [...readFields(Uint8Array.of(0x0a, 0x05, 1))]).toThrow(/Truncated/);
  });
});

describe('prior contract', () => {
  it('reads the committed tiny network: metadata, shapes, and it runs in onnxruntime-node', async () => {
    const bytes = new Uint8Array(readFileSync(`${repo}models/test-networks/tiny-vit-128.onnx`));
    expect(Object.fromEntries(readOnnxMetadata(bytes))).toEqual(metadataFor('ict-facekit', 128));
    const spec = readPriorSpec({ combined: bytes }, 'ict-facekit');
    expect(spec).toEqual({ inputSize: 128, uvLayout: 'ict-facekit', normalsSpace: 'camera' });
    const session = await ort.InferenceSession.create(bytes);
    checkPriorSession(session, ['uv', 'normals'], spec, 'prior model');
    const out = await session.run({ image: new ort.Tensor('float32', new Float32Array(3 * 128 * 128), [1, 3, 128, 128]) });
    const uv = out['uv']!.data as Float32Array, normals = out['normals']!.data as Float32Array;
    expect(Math.max(...uv.map(Math.abs))).toBeLessThanOrEqual(1);
    const plane = 128 * 128, k = 64 * 128 + 64;
    expect(Math.hypot(normals[k]!, normals[plane + k]!, normals[2 * plane + k]!)).toBeCloseTo(1, 5);
  });

  it('the committed networks are what the build script makes (deterministic)', () => {
    expect(Buffer.from(buildTinyNetwork(model)).equals(readFileSync(`${repo}models/test-networks/tiny-vit-128.onnx`))).toBe(true);
  });

  it('refuses a wrong UV layout, missing metadata, a bad input size and files that are not ONNX', () => {
    const flame = buildTinyNetwork(model, { metadata: metadataFor('flame-2023', 128) });
    const e = errorOf(() => readPriorSpec({ combined: flame }, 'ict-facekit'));
    expect(e).toBeInstanceOf(TrackerError);
    expect(e.code).toBe('prior-format');
    expect(e.message).toMatch(/'flame-2023'.*'ict-facekit'/);
    expect(e.details).toMatchObject({ priorUvLayout: 'flame-2023', modelUvLayout: 'ict-facekit' });
    expect(errorOf(() => readPriorSpec({ combined: buildTinyNetwork(model, { metadata: {} }) }, 'ict-facekit')).message).toMatch(/does not name its UV layout/);
    const badSize = buildTinyNetwork(model, { metadata: { ...metadataFor('ict-facekit', 128), 'pixel3dmm.input_size': '100' } });
    expect(errorOf(() => readPriorSpec({ combined: badSize }, 'ict-facekit')).message).toMatch(/input size/);
    expect(errorOf(() => readPriorSpec({ combined: new TextEncoder().encode('<html>not a model</html>') }, 'ict-facekit')).code).toBe('prior-format');
    const uv = buildTinyNetwork(model, { outputs: ['uv'], split: true });
    const normals96 = buildTinyNetwork(model, { outputs: ['normals'], split: true, inputSize: 96 });
    expect(errorOf(() => readPriorSpec({ uv, normals: normals96 }, 'ict-facekit')).message).toMatch(/disagree on the input size/);
  });

  it("reads the normals' frame from the model with the normals and the UV mirror centre from the one with the UVs, and refuses bad values", () => {
    const combined = buildTinyNetwork(model, { normalsSpace: 'model', uvMirrorCentre: 0.0075 });
    expect(readPriorSpec({ combined }, 'ict-facekit')).toEqual({ inputSize: 128, uvLayout: 'ict-facekit', normalsSpace: 'model', uvMirrorCentre: 0.0075 });
    // Two files: each key counts only in the file with the output it describes.
    const uv = buildTinyNetwork(model, { outputs: ['uv'], split: true, normalsSpace: 'model', uvMirrorCentre: 0.0075 });
    const normals = buildTinyNetwork(model, { outputs: ['normals'], split: true, uvMirrorCentre: -0.5 });
    expect(readPriorSpec({ uv, normals }, 'ict-facekit')).toEqual({ inputSize: 128, uvLayout: 'ict-facekit', normalsSpace: 'camera', uvMirrorCentre: 0.0075 });
    const bad = (key: string, value: string) => errorOf(() => readPriorSpec({ combined: buildTinyNetwork(model, { metadata: { ...metadataFor('ict-facekit', 128), [key]: value } }) }, 'ict-facekit'));
    const world = bad(PRIOR_METADATA_KEYS.normalsSpace, 'world');
    expect(world.code).toBe('prior-format');
    expect(world.message).toMatch(/'world'.*'pixel3dmm\.normals_space'.*'camera', 'model'/);
    for (const value of ['left', '1.5', '']) {
      const e = bad(PRIOR_METADATA_KEYS.uvMirrorCentre, value);
      expect(e.code).toBe('prior-format');
      expect(e.message).toMatch(/'pixel3dmm\.uv_mirror_centre'.*a number in \(-1, 1\)/);
    }
  });

  it('refuses sessions with a wrong input shape or a missing output', async () => {
    const spec = { inputSize: 128, uvLayout: 'ict-facekit' };
    const wrongSize = await ort.InferenceSession.create(buildTinyNetwork(model, { inputSize: 96, metadata: metadataFor('ict-facekit', 128) }));
    expect(errorOf(() => checkPriorSession(wrongSize, ['uv', 'normals'], spec, 'prior model')).message).toMatch(/input 'image'.*\[1, 3, 96, 96\].*\[1, 3, 128, 128\]/);
    const uvOnly = await ort.InferenceSession.create(buildTinyNetwork(model, { outputs: ['uv'] }));
    const missing = errorOf(() => checkPriorSession(uvOnly, ['uv', 'normals'], spec, 'prior model'));
    expect(missing.code).toBe('prior-format');
    expect(missing.message).toMatch(/no output 'normals'/);
    // The two-model form: each file needs only its own output.
    expect(() => checkPriorSession(uvOnly, ['uv'], spec, 'UV prior model')).not.toThrow();
  });
});
