/**
 * Test helpers for the Pixel3DMM checkpoint importer: stand-in Lightning checkpoints written by a
 * real torch.save, and an independent PyTorch reference forward to compare imported networks
 * with (scripts/fixtures/make_pixel3dmm_checkpoints.py, scripts/fixtures/pixel3dmm_forward.py),
 * plus a float32 .npy reader/writer to exchange tensors with them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy as readNpyBytes } from '../../src/authoring/pickle/readNpy.js';
import { FIXTURE_SCRIPTS } from '../flame/pythonFixtures.js';

/** The interpreter with torch and omegaconf: the system one (Debian's python3-torch), where present. */
export const TORCH_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Runs scripts/fixtures/<script> under TORCH_PYTHON; returns its stdout. */
export function runTorchPython(script: string, args: string[], timeoutMs = 15 * 60_000): string {
  return execFileSync(TORCH_PYTHON, [join(FIXTURE_SCRIPTS, script), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export type Pixel3dmmVariant = 'unknown-backbone' | 'missing-key' | 'shape-mismatch' | 'not-lightning';

export interface Pixel3dmmCheckpointOptions {
  /** Which regular fixtures: uv_/normals_ small (ViT-S/16), base (ViT-B/16), or both. Default 'small'. */
  backbone?: 'small' | 'base' | 'all';
  /** Instead, one broken checkpoint <variant>.ckpt for the importer's error paths. */
  variant?: Pixel3dmmVariant;
  /** Head layers of the base fixtures (the script's default is 2; base.yaml has 6). */
  baseNumLayers?: number;
  /** Storage location tag in the file: 'cuda:0' (the default, as a GPU run saves) or 'cpu'. */
  location?: 'cuda:0' | 'cpu';
}

/** Writes the checkpoints into `dir`; returns their paths. */
export function makePixel3dmmCheckpoints(dir: string, options: Pixel3dmmCheckpointOptions = {}): string[] {
  const backbone = options.backbone ?? 'small';
  const args = [dir];
  if (options.variant) args.push('--variant', options.variant);
  else args.push('--backbone', backbone);
  if (options.baseNumLayers !== undefined) args.push('--base-num-layers', String(options.baseNumLayers));
  if (options.location) args.push('--location', options.location);
  runTorchPython('make_pixel3dmm_checkpoints.py', args);
  if (options.variant) return [join(dir, `${options.variant}.ckpt`)];
  const sizes = backbone === 'all' ? ['small', 'base'] : [backbone];
  return sizes.flatMap((size) => ['uv', 'normals'].map((kind) => join(dir, `${kind}_${size}.ckpt`)));
}

/** Runs the reference forward on a [1, 3, 512, 512] ImageNet-normalised input; returns the network's
 *  raw output [1, P, 512, 512] and its contract form (uv: clipped to [-1, 1]; normals: unit n' in
 *  FLAME's model frame), also left in outDir as raw.npy and contract.npy. */
export function pixel3dmmReferenceForward(ckpt: string, inputNpy: string, outDir: string): { raw: NpyArray; contract: NpyArray } {
  runTorchPython('pixel3dmm_forward.py', [ckpt, inputNpy, outDir]);
  return { raw: readNpy(join(outDir, 'raw.npy')), contract: readNpy(join(outDir, 'contract.npy')) };
}

/** A deterministic smooth RGB test pattern in [0, 1], ImageNet-normalised: [1, 3, size, size]. */
export function pixel3dmmTestImage(size = 512): NpyArray {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const data = new Float32Array(3 * size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / (size - 1);
      const v = y / (size - 1);
      const rgb = [0.5 + 0.4 * Math.sin(6 * u + 2 * v), 0.5 + 0.4 * Math.cos(5 * v - 3 * u), u * v];
      for (let c = 0; c < 3; c++) data[(c * size + y) * size + x] = (rgb[c]! - mean[c]!) / std[c]!;
    }
  }
  return { shape: [1, 3, size, size], data };
}

// ---- .npy (float32, C order) ----

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

/** Parses a .npy file as float32 (the package's reader: any numeric dtype, C or Fortran order). */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const array = readNpyBytes(bytes);
  if (array.unreadable) throw new Error(`unsupported .npy dtype: ${array.unreadable}`);
  return { shape: array.shape, data: array.data instanceof Float32Array ? array.data : Float32Array.from(array.toNumbers()) };
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path));
}

/** Encodes a float32 array as a version-1.0 .npy (header padded so the data start 64-byte aligned). */
export function encodeNpy(shape: number[], data: Float32Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`shape ${shape} does not hold ${data.length} values`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const padded = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(padded - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(10 + header.length + 4 * count);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeNpy(path: string, array: NpyArray): void {
  writeFileSync(path, encodeNpy(array.shape, array.data));
}
