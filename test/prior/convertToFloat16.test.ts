/**
 * The fp16 rewrite of prior networks (src/core/onnx/convertToFloat16.ts), checked in
 * onnxruntime-node: the converted tiny ViT keeps its float32 interface, its weights are half the
 * bytes, and its maps agree with the fp32 network's to half precision. (The CPU runs float16
 * graphs by casting where it lacks fp16 kernels; on WebGPU with shader-f16 they run natively.)
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertToFloat16, Float16ConversionError, toFloat16Bits } from '../../src/workers/prior/onnx/convertToFloat16.js';
import { readOnnxMetadata } from '../../src/workers/prior/onnx/readOnnxMetadata.js';
import { OnnxGraphBuilder } from '../../src/authoring/onnx/OnnxGraphBuilder.js';

const repo = new URL('../../', import.meta.url).pathname;

/** A deterministic face-like input in ImageNet-normalised units. */
function testImage(size: number): Float32Array {
  const image = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) image[(c * size + y) * size + x] = Math.sin(x * 0.11 + c) * Math.cos(y * 0.07 - c) * 1.8;
  }
  return image;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('convertToFloat16', () => {
  it('rounds to the nearest half, clamps the range, keeps subnormals, infinities and NaN', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.1)).toBe(0x2e66);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // the smallest subnormal
    expect(toFloat16Bits(2 ** -26)).toBe(0);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie: to even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    expect(toFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toFloat16Bits(NaN) & 0x3ff).not.toBe(0);
  });

  it('converts the tiny ViT prior: same interface and metadata, half the weight bytes, maps within half precision', async () => {
    const bytes = new Uint8Array(readFileSync(`${repo}models/test-networks/tiny-vit-128.onnx`));
    const half = convertToFloat16(bytes);
    expect(half.convertedWeights).toBeGreaterThan(20);
    expect(half.bytes.length).toBeLessThan(0.6 * bytes.length);
    expect(readOnnxMetadata(half.bytes)).toEqual(readOnnxMetadata(bytes));

    const [full, reduced] = await Promise.all([ort.InferenceSession.create(bytes), ort.InferenceSession.create(half.bytes)]);
    expect(reduced.inputNames).toEqual(full.inputNames);
    expect(reduced.outputNames).toEqual(full.outputNames);
    const feeds = { image: new ort.Tensor('float32', testImage(128), [1, 3, 128, 128]) };
    const [a, b] = [await full.run(feeds), await reduced.run(feeds)];
    for (const name of ['uv', 'normals']) {
      expect(b[name]!.type).toBe('float32');
      expect(b[name]!.dims).toEqual(a[name]!.dims);
      const x = a[name]!.data as Float32Array, y = b[name]!.data as Float32Array;
      // The outputs vary (not a constant map that would agree trivially) and agree to a few 1e-3.
      expect(Math.max(...x) - Math.min(...x)).toBeGreaterThan(0.5);
      expect(maxAbsDiff(x, y)).toBeLessThan(5e-3);
      expect(maxAbsDiff(x, y)).toBeGreaterThan(0); // it did run in half precision
    }
    await Promise.all([full.release(), reduced.release()]);
  });

  it('keeps Resize scales in float32 and turns float casts into half casts', async () => {
    const g = new OnnxGraphBuilder('resize');
    const x = g.input('x', [1, 1, 2, 2]);
    const asFloat = g.node('Cast', [x], { to: 1 });
    const scaled = g.node('Mul', [asFloat, g.scalar('gain', 1.5)]);
    const resized = g.node('Resize', [scaled, '', g.weight('scales', [4], Float32Array.of(1, 1, 2, 2))], { mode: 'nearest' });
    g.output('y', g.node('Add', [resized, g.scalar('bias', 0.25)], {}), [1, 1, 4, 4]);
    const model = g.encode({ producer: 'test' });
    const session = await ort.InferenceSession.create(convertToFloat16(model).bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [1, 1, 2, 2]) });
    expect([...(out['y']!.data as Float32Array)]).toEqual([1.75, 1.75, 3.25, 3.25, 1.75, 1.75, 3.25, 3.25, 4.75, 4.75, 6.25, 6.25, 4.75, 4.75, 6.25, 6.25]);
    await session.release();
  });

  it('refuses bytes that hold no graph', () => {
    expect(() => convertToFloat16(new Uint8Array(0))).toThrow(Float16ConversionError);
  });
});
