/**
 * The prior's GPU pieces in headless Chromium (WebGPU on SwiftShader: correct, slow): the crop
 * preprocessing and the dense lookup against their CPU references, and the same network on the
 * WebGPU and WASM execution providers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { buildTinyNetwork } from '../../scripts/onnx/testNetworks.js';
import { artifactsDir, repoRoot, startBrowserSession, type BrowserSession } from './harness.js';
import { bundlePage } from './priorBundle.js';

type Kernels = {
  preprocessParity(): Promise<Record<string, number>>;
  lookupParity(): Promise<Record<string, number>>;
  backendParity(modelUrl: string): Promise<Record<string, number>>;
};

describe('prior GPU kernels and backends', () => {
  let session: BrowserSession;
  let page: Awaited<ReturnType<BrowserSession['open']>>;
  beforeAll(async () => {
    const model = await readFaceModel(new Uint8Array(readFileSync(`${repoRoot}models/face-default.glb`)));
    mkdirSync(`${artifactsDir}/prior`, { recursive: true });
    // The raw network (no frontal bias): its outputs are all network, so parity tests the network.
    writeFileSync(`${artifactsDir}/prior/tiny-raw.onnx`, buildTinyNetwork(model, { raw: true }));
    const pageUrl = await bundlePage('test/browser/pages/prior-kernels.ts');
    session = await startBrowserSession();
    page = await session.open(pageUrl);
    await page.waitForFunction(() => 'priorKernels' in window);
  }, 240_000);
  afterAll(async () => session?.close());

  const kernels = <K extends keyof Kernels>(name: K, ...args: Parameters<Kernels[K]>) =>
    page.evaluate(([n, a]) => ((window as unknown as { priorKernels: Kernels }).priorKernels[n as K] as (...x: unknown[]) => Promise<unknown>)(...a), [name, args] as const) as ReturnType<Kernels[K]>;

  it('crop/resize/normalize on the GPU matches the CPU reference', async () => {
    const r = await kernels('preprocessParity');
    // Exact RGBA input: only f32 rounding differs.
    for (const key of ['inside', 'insideMirrored', 'insideBitmap', 'overTheEdge', 'overTheEdgeMirrored', 'upscaled', 'upscaledMirrored']) expect(r[key], key).toBeLessThan(1e-4);
    // A frame carrying a rotation is read as displayed (upright), as MediaPipe reads it.
    for (const rotation of [90, 270]) {
      expect(r[`rotated${rotation}DisplayWidth`]).toBe(240);
      expect(r[`rotated${rotation}`], `GPU, rotation ${rotation}`).toBeLessThan(1e-4);
      expect(r[`rotated${rotation}Cpu`], `CPU, rotation ${rotation}`).toBeLessThan(1e-4);
    }
    // A decoded (YUV) video frame: the GPU copy and the 2D canvas convert colours independently.
    expect(r['videoFrameMean']).toBeLessThan(0.02);
    expect(r['videoFrame']).toBeLessThan(0.2);
  });

  it('the dense lookup on the GPU matches the CPU reference, with and without the TTA merge (UVs mirrored about 0, about 0.0075, not at all)', async () => {
    const r = await kernels('lookupParity');
    for (const key of ['plain', 'tta', 'ttaOffCentre', 'ttaAsymmetric']) {
      expect(r[`${key}Found`], key).toBeGreaterThan(0.4);
      expect(r[`${key}SamePixel`], key).toBeGreaterThan(0.99);
      // Sub-pixel positions too: a merge about another centre would move them by about 0.2 px.
      expect(r[`${key}SamePosition`], key).toBeGreaterThan(0.95);
    }
  });

  it('WebGPU and WASM outputs agree (max abs difference ≤ 1e-3, fp32)', async () => {
    for (const url of ['/test-results/prior/tiny-raw.onnx', '/models/test-networks/tiny-vit-128.onnx']) {
      const r = await kernels('backendParity', url);
      expect(r.inputSize).toBe(128);
      expect(r.uvRms, url).toBeGreaterThan(0.1); // the maps are not flat
      expect(r.uv, url).toBeLessThanOrEqual(1e-3);
      expect(r.normals, url).toBeLessThanOrEqual(1e-3);
    }
  });
});
