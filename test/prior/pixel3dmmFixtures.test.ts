/**
 * Smoke test of the Pixel3DMM fixture tooling: the small stand-in checkpoints build, and the
 * PyTorch reference forward turns them into well-formed maps (spread UVs, unit normals).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../flame/pythonFixtures.js';
import { makePixel3dmmCheckpoints, pixel3dmmReferenceForward, pixel3dmmTestImage, readNpy, writeNpy, type NpyArray } from './pixel3dmmFixtures.js';

const stats = (a: NpyArray) => {
  let sum = 0;
  let sq = 0;
  let finite = true;
  for (const v of a.data) {
    finite &&= Number.isFinite(v);
    sum += v;
    sq += v * v;
  }
  const mean = sum / a.data.length;
  return { finite, std: Math.sqrt(sq / a.data.length - mean * mean) };
};

describe('Pixel3DMM fixtures', () => {
  it('builds the small checkpoints and runs the reference forward on them', () => {
    const tmp = tempDir('pixel3dmm-fixtures-');
    try {
      const [uvCkpt, normalsCkpt] = makePixel3dmmCheckpoints(tmp.dir, { backbone: 'small' });
      const input = join(tmp.dir, 'input.npy');
      const image = pixel3dmmTestImage();
      writeNpy(input, image);
      expect(readNpy(input)).toEqual(image); // the .npy writer and reader agree

      const uv = pixel3dmmReferenceForward(uvCkpt!, input, join(tmp.dir, 'uv'));
      expect(uv.raw.shape).toEqual([1, 2, 512, 512]);
      expect(uv.contract.shape).toEqual([1, 2, 512, 512]);
      expect(stats(uv.raw).finite).toBe(true);
      expect(stats(uv.contract).std).toBeGreaterThan(0.01);
      expect(uv.contract.data.every((v) => Math.abs(v) <= 1)).toBe(true);

      const normals = pixel3dmmReferenceForward(normalsCkpt!, input, join(tmp.dir, 'normals'));
      expect(normals.raw.shape).toEqual([1, 3, 512, 512]);
      expect(normals.contract.shape).toEqual([1, 3, 512, 512]);
      expect(stats(normals.raw).finite).toBe(true);
      const plane = 512 * 512;
      let worst = 0;
      for (let i = 0; i < plane; i++) {
        const [x, y, z] = [0, 1, 2].map((c) => normals.contract.data[c * plane + i]!);
        worst = Math.max(worst, Math.abs(Math.hypot(x!, y!, z!) - 1));
      }
      expect(worst).toBeLessThan(1e-5);
    } finally {
      tmp.remove();
    }
  }, 180_000);
});
