/**
 * The tracker with a ViT prior in headless Chromium (dist/ build): the real sample video through
 * the offline path with the tiny test network, one declaring model-frame normals, the two-model
 * form, typed errors for networks that break the contract, and the fall-back to landmarks when
 * the GPU device is lost.
 *
 * The tiny networks have random weights over a frontal-face bias (models/test-networks/README.md):
 * these tests check that dense terms reach the fitter and tracking stays sound, not that the
 * maps are accurate.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { buildTinyNetwork, metadataFor } from '../../scripts/onnx/testNetworks.js';
import { artifactsDir, repoRoot, startBrowserSession, type BrowserSession } from './harness.js';
import { injectTrackInPage, type PageWindow, type TrackSummary } from './trackInPage.js';

const TINY = '/models/test-networks/tiny-vit-128.onnx';


const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('FaceTracker with a ViT prior', () => {
  let session: BrowserSession;
  let page: Awaited<ReturnType<BrowserSession['open']>>;
  beforeAll(async () => {
    const model = await readFaceModel(new Uint8Array(readFileSync(`${repoRoot}models/face-default.glb`)));
    const dir = `${artifactsDir}/prior`;
    mkdirSync(dir, { recursive: true });
    // Networks that break the contract, each in one way.
    writeFileSync(`${dir}/wrong-input-size.onnx`, buildTinyNetwork(model, { inputSize: 96, metadata: metadataFor(model.uvLayout, 128) }));
    writeFileSync(`${dir}/uv-only.onnx`, buildTinyNetwork(model, { outputs: ['uv'] }));
    writeFileSync(`${dir}/flame-layout.onnx`, buildTinyNetwork(model, { metadata: metadataFor('flame-2023', 128) }));
    writeFileSync(`${dir}/no-metadata.onnx`, buildTinyNetwork(model, { metadata: {} }));
    // As Pixel3DMM's converted networks declare: model-frame normals, a UV layout symmetric about u = 0.0075.
    writeFileSync(`${dir}/model-space.onnx`, buildTinyNetwork(model, { normalsSpace: 'model', uvMirrorCentre: 0.0075 }));
    session = await startBrowserSession();
    page = await session.open('/test/browser/pages/blank.html');
    await injectTrackInPage(page);
    const cdp = await session.browser.newBrowserCDPSession();
    await page.exposeFunction('crashGpu', () => cdp.send('Browser.crashGpuProcess' as never));
  }, 180_000);
  afterAll(async () => session?.close());

  it('tracks the real video with prior: { onnx }, and the fitter uses the dense terms', async () => {
    const landmarksOnly = await page.evaluate(([o, n]) => (window as unknown as PageWindow).trackInPage(o, n), [{}, { frameCount: 90 }] as const);
    const r = await page.evaluate(([o, n]) => (window as unknown as PageWindow).trackInPage(o, n), [{ prior: { onnx: TINY } }, { frameCount: 90 }] as const);
    expect(landmarksOnly.info.prior).toBe('landmarks');
    // 'auto' on SwiftShader (a software adapter) picks WASM, and says why.
    // Camera-frame normals by default; ICT FaceKit's UVs are symmetric about u = 0.
    expect(r.info.prior).toMatchObject({ backend: 'wasm', preprocessing: 'cpu', inputSize: 128, uvLayout: 'ict-facekit', tta: false, normalsSpace: 'camera', uvMirrorCentre: 0 });
    expect(r.info.fallbacks.join(' ')).toMatch(/software/);
    expect(r.frames.filter((f) => f.face).length).toBeGreaterThanOrEqual(88);
    // The prior delivers while the track goes on: each run's maps are used once, by the next
    // frame fitted (landmarks alone carry the frames between), and they are recent.
    const withDense = r.frames.filter((f) => f.dense > 0);
    expect(withDense.length).toBeGreaterThan(30);
    for (const f of withDense) expect(f.age).toBeLessThanOrEqual(250);
    // On the frontal first second the fitter keeps a good share of the 800 candidates; as the head
    // rolls, the tiny network's frontal maps stop matching and its gates drop most (random weights, see README).
    expect(Math.max(...withDense.map((f) => f.dense))).toBeGreaterThan(120);
    // Tracking stays sound: the landmark fit is about as good as without the prior.
    const rms = (s: TrackSummary) => median(s.frames.filter((f) => f.face).map((f) => f.rms));
    expect(rms(r)).toBeLessThan(rms(landmarksOnly) + 1);
    expect(r.errors).toEqual([]);
  });

  it("takes a prior with model-frame normals and its own UV mirror centre (Pixel3DMM's), and its normals reach the fitter", async () => {
    const r = await page.evaluate(([o, n]) => (window as unknown as PageWindow).trackInPage(o, n), [{ prior: { onnx: '/test-results/prior/model-space.onnx', backend: 'wasm', tta: true } }, { frameCount: 60 }] as const);
    expect(r.info.prior).toMatchObject({ backend: 'wasm', tta: true, normalsSpace: 'model', uvMirrorCentre: 0.0075 });
    expect(r.frames.filter((f) => f.face).length).toBeGreaterThanOrEqual(58);
    const withDense = r.frames.filter((f) => f.dense > 0);
    expect(withDense.length).toBeGreaterThan(10);
    // One normal per two correspondences (the fitter's normal stride).
    for (const f of withDense) expect(f.normals).toBeGreaterThanOrEqual(Math.floor(f.dense / 2));
    expect(r.errors).toEqual([]);
  });

  it('takes the two-model form { uv, normals } and mirror TTA, on WebGPU with GPU pre/post-processing (fp32 without shader-f16)', async () => {
    const onnx = { uv: '/models/test-networks/tiny-vit-128-uv.onnx', normals: '/models/test-networks/tiny-vit-128-normals.onnx' };
    // SwiftShader runs a tiny network in about a second: allow old maps so some frames use them.
    const r = await page.evaluate(([o, n]) => (window as unknown as PageWindow).trackInPage(o, n), [{ prior: { onnx, backend: 'webgpu', tta: true, fp16: true, maxAgeMs: 60_000 } }, { frameCount: 60, slowUntilDenseMs: 300 }] as const);
    expect(r.info.prior).toMatchObject({ backend: 'webgpu', preprocessing: 'gpu', tta: true, fp16: false });
    // SwiftShader's adapter has no shader-f16: the tracker says why fp16 is not in use.
    expect(r.info.fallbacks.join(' ')).toMatch(/lacks 'shader-f16'/);
    expect(r.frames.filter((f) => f.dense > 0).length).toBeGreaterThan(0);
    expect(r.errors).toEqual([]);
  });

  it('refuses networks that break the contract with typed prior-format errors (and a file that is no ONNX model as it arrives)', async () => {
    const result = await page.evaluate(async (urls) => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      const out: Record<string, string> = {};
      for (const [name, onnx] of Object.entries(urls)) {
        out[name] = await FaceTracker.create({ cache: false, prior: { onnx, backend: 'wasm' } }).then(
          (t: { dispose(): void }) => (t.dispose(), 'created'),
          (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
        );
      }
      return out;
    }, {
      wrongInputSize: '/test-results/prior/wrong-input-size.onnx',
      missingOutput: '/test-results/prior/uv-only.onnx',
      wrongLayout: '/test-results/prior/flame-layout.onnx',
      noMetadata: '/test-results/prior/no-metadata.onnx',
      notOnnx: '/models/face-default.glb',
    });
    expect(result['wrongInputSize']).toMatch(/^prior-format: .*input 'image'.*\[1, 3, 96, 96\].*\[1, 3, 128, 128\]/);
    expect(result['missingOutput']).toMatch(/^prior-format: .*no output 'normals'/);
    expect(result['wrongLayout']).toMatch(/^prior-format: .*'flame-2023'.*'ict-facekit'/);
    expect(result['noMetadata']).toMatch(/^prior-format: .*does not name its UV layout/);
    // Another kind of file is refused as it arrives, before ONNX Runtime sees it.
    expect(result['notOnnx']).toMatch(/^model-fetch: .*face-default\.glb: what came back is not an ONNX model/);
  });

  it('stops a prior whose WASM runs outlast its maps, and says so', async () => {
    // maxAgeMs: 1 — no run is ever fast enough, as with a Pixel3DMM-sized network on the CPU.
    const r = await page.evaluate(([o, n]) => (window as unknown as PageWindow).trackInPage(o, n), [{ prior: { onnx: TINY, backend: 'wasm', maxAgeMs: 1 } }, { frameCount: 40 }] as const);
    expect(r.errors.map((e) => e.code)).toEqual(['webgpu-unavailable']);
    expect(r.errors[0]!.message).toMatch(/longer than the 1 ms.*landmarks only/);
    expect(r.infoAfter?.prior).toMatchObject({ backend: 'off' });
    expect(r.frames.every((f) => f.face && f.dense === 0)).toBe(true);
  });

  it('falls back to landmarks only when the GPU device is lost, and says so', async () => {
    const r = await page.evaluate(([o, n]) => (window as unknown as PageWindow).trackInPage(o, n), [{ prior: { onnx: TINY, backend: 'webgpu', maxAgeMs: 60_000 } }, { frameCount: 120, slowUntilDenseMs: 300, crashAfterDense: 2 }] as const);
    expect(r.info.prior).toMatchObject({ backend: 'webgpu' });
    const firstDense = r.frames.findIndex((f) => f.dense > 0);
    expect(firstDense).toBeGreaterThanOrEqual(0);
    expect(r.errors.map((e) => e.code)).toEqual(['gpu-device-lost']);
    expect(r.errors[0]!.message).toMatch(/landmarks only/);
    expect(r.infoAfter?.prior).toMatchObject({ backend: 'off' });
    expect(r.infoAfter?.fallbacks.join(' ')).toMatch(/lost/);
    // Tracking goes on, without dense terms, to the last frame.
    const after = r.frames.slice(firstDense + 10);
    expect(after.length).toBeGreaterThan(30);
    expect(after.every((f) => f.face && f.dense === 0)).toBe(true);
  });
});

describe('FaceTracker with a ViT prior, without WebGPU', () => {
  it("rejects backend: 'webgpu' with webgpu-unavailable, and 'auto' runs on WASM", async () => {
    const noGpu = await startBrowserSession({ webgpu: false });
    try {
      const page = await noGpu.open('/test/browser/pages/blank.html');
      const result = await page.evaluate(async (onnx) => {
        const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
        const forced = await FaceTracker.create({ cache: false, prior: { onnx, backend: 'webgpu' } }).then(
          (t: { dispose(): void }) => (t.dispose(), 'created'),
          (e: { code: string }) => e.code,
        );
        const auto = await FaceTracker.create({ cache: false, prior: { onnx } });
        const info = JSON.parse(JSON.stringify(auto.info));
        auto.dispose();
        return { forced, info };
      }, TINY);
      expect(result.forced).toBe('webgpu-unavailable');
      expect(result.info.prior.backend).toBe('wasm');
      expect(result.info.fallbacks.join(' ')).toMatch(/WebGPU is unavailable|software/);
    } finally {
      await noGpu.close();
    }
  });
});
