/**
 * `import-pixel3dmm` on stand-in checkpoints (scripts/fixtures/make_pixel3dmm_checkpoints.py:
 * Lightning's layout written by torch.save, the official key names and shapes, random weights):
 * the converted ONNX against an independent PyTorch forward (scripts/fixtures/pixel3dmm_forward.py),
 * both backbone sizes, the contract's metadata, fp16, and the errors for checkpoints it must refuse.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importPixel3dmmCommand } from '../../scripts/cli/importPixel3dmm.js';
import { readPixel3dmmCheckpoint } from '../../src/authoring/pixel3dmm/readPixel3dmmCheckpoint.js';
import { TrackerError } from '../../src/core/errors.js';
import { readOnnxMetadata } from '../../src/workers/prior/onnx/readOnnxMetadata.js';
import { readPriorSpec } from '../../src/workers/prior/priorContract.js';
import { tempDir } from '../flame/pythonFixtures.js';
import { makePixel3dmmCheckpoints, pixel3dmmReferenceForward, pixel3dmmTestImage, writeNpy, type NpyArray } from './pixel3dmmFixtures.js';

const image = pixel3dmmTestImage();

async function runOnnx(path: string, output: 'uv' | 'normals'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path);
  try {
    const result = await session.run({ image: new ort.Tensor('float32', image.data, image.shape) });
    return result[output]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const maxDifference = (a: Float32Array, b: NpyArray) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i]!)), 0);

/** Runs the command, returning what it printed. */
async function importCommand(args: string[]): Promise<string> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const progress = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await importPixel3dmmCommand(args);
    return log.mock.calls.map((c) => c.join(' ')).join('\n');
  } finally {
    log.mockRestore();
    progress.mockRestore();
  }
}

describe("import-pixel3dmm on checkpoints in Pixel3DMM's layout", () => {
  let dir: { dir: string; remove: () => void };
  const path = (name: string) => join(dir.dir, name);
  let summary = '';

  beforeAll(async () => {
    dir = tempDir('p3dmm-import-');
    makePixel3dmmCheckpoints(dir.dir, { backbone: 'all' });
    writeNpy(path('input.npy'), image);
    summary = await importCommand([path('uv_small.ckpt'), path('normals_small.ckpt'), '-o', path('small')]);
    await importCommand([path('uv_base.ckpt'), path('normals_base.ckpt'), '-o', path('base')]);
  }, 300_000);
  afterAll(() => dir?.remove());

  it('rebuilds the ViT-S/16 networks (view embedding, 6 head layers) to match the reference forward within 1e-4', async () => {
    expect(summary).toMatch(/uv\.onnx .*vit_small_patch16_224\.dino \+ 6-layer head/);
    for (const [checkpoint, output] of [['uv_small', 'uv'], ['normals_small', 'normals']] as const) {
      const reference = pixel3dmmReferenceForward(path(`${checkpoint}.ckpt`), path('input.npy'), path(`${checkpoint}-reference`)).contract;
      const converted = await runOnnx(path(`small/${output}.onnx`), output);
      expect(converted.length).toBe(reference.data.length);
      expect(maxDifference(converted, reference)).toBeLessThan(1e-4);
      // Not a trivial map: the UVs spread over the layout, the normals turn.
      const spread = Math.sqrt(converted.reduce((s, v) => s + v * v, 0) / converted.length);
      expect(spread).toBeGreaterThan(0.05);
    }
  }, 300_000);

  it('rebuilds the ViT-B/16 network with a position map and no view embedding, within 1e-4', async () => {
    const reference = pixel3dmmReferenceForward(path('normals_base.ckpt'), path('input.npy'), path('normals_base-reference')).contract;
    expect(maxDifference(await runOnnx(path('base/normals.onnx'), 'normals'), reference)).toBeLessThan(1e-4);
  }, 300_000);

  it("names what the tracker needs: Pixel3DMM's UV layout, 512 px, model-frame normals, the mirror centre", () => {
    const files = { uv: new Uint8Array(readFileSync(path('small/uv.onnx'))), normals: new Uint8Array(readFileSync(path('small/normals.onnx'))) };
    expect(Object.fromEntries(readOnnxMetadata(files.uv))).toMatchObject({ 'pixel3dmm.uv_layout': 'pixel3dmm-flame', 'pixel3dmm.input_size': '512', 'pixel3dmm.uv_mirror_centre': '0.0075' });
    expect(readOnnxMetadata(files.normals).get('pixel3dmm.normals_space')).toBe('model');
    expect(readPriorSpec(files, 'pixel3dmm-flame')).toMatchObject({ inputSize: 512, uvLayout: 'pixel3dmm-flame', normalsSpace: 'model', uvMirrorCentre: 0.0075 });
    // A FLAME model imported with FLAME's own texture layout is refused by these networks.
    expect(() => readPriorSpec(files, 'flame')).toThrow(/'pixel3dmm-flame' layout, but the face model uses 'flame'/);
  });

  it('writes half-precision weights with --fp16: half the size, the contract kept (the conversion itself: convertToFloat16.test.ts)', async () => {
    await importCommand([path('uv_small.ckpt'), path('normals_small.ckpt'), '-o', path('half'), '--fp16']);
    for (const output of ['uv', 'normals']) {
      const full = new Uint8Array(readFileSync(path(`small/${output}.onnx`))), half = new Uint8Array(readFileSync(path(`half/${output}.fp16.onnx`)));
      expect(half.length / full.length).toBeLessThan(0.55);
      expect(readOnnxMetadata(half)).toEqual(readOnnxMetadata(full));
    }
  }, 120_000);

  it('refuses what it would convert wrongly, with a prior-format error that lists what it found', async () => {
    const refusal = (bytes: Uint8Array, label: string) => {
      try {
        readPixel3dmmCheckpoint(bytes, label);
      } catch (error) {
        expect(error).toBeInstanceOf(TrackerError);
        expect((error as TrackerError).code).toBe('prior-format');
        return (error as Error).message;
      }
      throw new Error(`${label} was accepted`);
    };
    const variant = (name: 'unknown-backbone' | 'missing-key' | 'shape-mismatch' | 'not-lightning') => {
      const [file] = makePixel3dmmCheckpoints(dir.dir, { variant: name });
      return refusal(new Uint8Array(readFileSync(file!)), `${name}.ckpt`);
    };
    expect(variant('unknown-backbone')).toMatch(/backbone 'vit_large_patch14_dinov2\.lvd142m'.*knows vit_small_patch16_224\.dino and vit_base_patch16_224\.dino/);
    expect(variant('missing-key')).toMatch(/lacks 1 weights.*net\.vol_decoder\.layers\.0\.self_attn\.in_proj_weight/);
    expect(variant('shape-mismatch')).toMatch(/net\.token_2_patch_content\.weight is \[12, 256\], expected \[8, 256\]/);
    expect(variant('not-lightning')).toMatch(/not a PyTorch Lightning checkpoint.*holds the keys vertex_weight_mask, net\./);
    const uv = new Uint8Array(readFileSync(path('uv_small.ckpt')));
    expect(refusal(uv.subarray(0, uv.length >> 1), 'cut.ckpt')).toMatch(/cut\.ckpt is not a readable zip archive/);
    expect(refusal(new TextEncoder().encode('<!doctype html>'), 'page.ckpt')).toMatch(/page\.ckpt is not a PyTorch checkpoint/);
    // The two networks given the wrong way round.
    await expect(importCommand([path('normals_small.ckpt'), path('uv_small.ckpt'), '-o', path('swapped')])).rejects.toThrow(/Pixel3DMM's normals network \(normals\.ckpt\), given in the place of uv\.ckpt/);
    writeFileSync(path('empty.ckpt'), new Uint8Array(0));
    await expect(importCommand([path('empty.ckpt'), path('normals_small.ckpt')])).rejects.toThrow(/not a PyTorch checkpoint/);
  }, 120_000);
});
