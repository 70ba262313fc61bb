/**
 * `npm run bench -- prior`: the ViT prior in headless Chromium.
 * - Pixel3DMM-sized networks (ViT-S/16 and ViT-B/16 at 512 px, both outputs, random weights,
 *   built on first use into test-results/bench-networks/) on the WASM backend: median ms per run.
 * - The tiny network (raw, no bias) on WebGPU vs WASM: max |difference| of the maps.
 * - The tracker over every frame of the sample video, offline with two frames in flight, with the
 *   tiny prior (backend 'auto') and without: fit time with dense terms (p95), how often new maps
 *   reached the fit (Hz, wall clock), and the frame-rate ratio prior / landmarks only; also the
 *   ratio with the prior running but the fit ignoring its maps (its CPU share alone).
 * - Where the browser has a hardware GPU adapter, the Pixel3DMM-sized networks on WebGPU too
 *   (null on SwiftShader), and ViT-S/16 in fp16 where it has shader-f16.
 * - What fp16 costs in precision: ViT-S/16's maps, fp16 conversion vs fp32 (onnxruntime-node).
 * `npm run bench -- prior [rounds=2]`.
 * Needs `npm run build` first. Last line: {"vit_s16_512_wasm_ms", "vit_b16_512_wasm_ms",
 * "tiny_webgpu_vs_wasm_maxabs", "dense_fit_ms_p95", "prior_rate_hz", "frame_rate_with_prior_ratio", …}.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { convertToFloat16 } from '../src/workers/prior/onnx/convertToFloat16.js';
import type { FaceTrackerOptions } from '../src/index.js';
import { readPriorSpec } from '../src/workers/prior/priorContract.js';
import { buildPixel3dmmSized, buildTinyNetwork } from '../scripts/onnx/testNetworks.js';
import { startBrowserSession } from '../test/browser/harness.js';
import { bundlePage } from '../test/browser/priorBundle.js';
import type { TrackRun } from './prior/page.js';
import { quantile } from '../src/core/math/quantile.js';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/prior-worker.js`)) throw new Error('Run `npm run build` first.');
const rounds = Number(process.argv[2] ?? 2);

const netDir = `${root}test-results/bench-networks`;
mkdirSync(netDir, { recursive: true });
const model = await readFaceModel(new Uint8Array(readFileSync(`${root}models/face-default.glb`)));
for (const name of ['vit-s16-512', 'vit-b16-512'] as const) {
  if (existsSync(`${netDir}/${name}.onnx`)) continue;
  const { bytes, parameters } = buildPixel3dmmSized(name, model.uvLayout);
  writeFileSync(`${netDir}/${name}.onnx`, bytes);
  console.log(`built ${name}.onnx: ${(parameters / 1e6).toFixed(1)} M parameters, ${(bytes.length / 2 ** 20).toFixed(0)} MiB`);
}
writeFileSync(`${netDir}/tiny-raw.onnx`, buildTinyNetwork(model, { raw: true }));

// What fp16 costs in precision on a Pixel3DMM-sized network (onnxruntime-node, CPU).
const fp16Parity = await halfPrecisionDifference(new Uint8Array(readFileSync(`${netDir}/vit-s16-512.onnx`)));
console.log(`ViT-S/16 at 512 px, fp16 vs fp32: abs difference max ${fp16Parity.max}, p99 ${fp16Parity.p99}`);

const pageUrl = await bundlePage('bench/prior/page.ts');
const session = await startBrowserSession();
try {
  const page = await session.open(pageUrl);
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.waitForFunction(() => 'priorBench' in window);

  const parity = await page.evaluate((url) => window.priorBench.backendParity(url), '/test-results/bench-networks/tiny-raw.onnx');
  console.log(`tiny network WebGPU vs WASM: uv ${parity['uv']}, normals ${parity['normals']}`);

  const wasmMs: Record<string, number> = {}, webgpuMs: Record<string, number | null> = {}, webgpuFp16Ms: Record<string, number | null> = {};
  for (const [name, runs] of [['vit-s16-512', 3], ['vit-b16-512', 2]] as const) {
    const url = `/test-results/bench-networks/${name}.onnx`;
    const t = await page.evaluate(([u, n]) => window.priorBench.timeWasm(u, n), [url, runs] as const);
    wasmMs[name] = quantile(t.runsMs, 0.5);
    console.log(`${name} on WASM: load ${t.loadMs.toFixed(0)} ms, runs ${t.runsMs.map((v) => v.toFixed(0)).join(', ')} ms`);
    const g = await page.evaluate(([u, n]) => window.priorBench.timeWebGpu(u, n), [url, 10] as const);
    webgpuMs[name] = g && +quantile(g.runsMs, 0.5).toFixed(1);
    console.log(g ? `${name} on WebGPU: load ${g.loadMs.toFixed(0)} ms, median ${webgpuMs[name]} ms` : `${name} on WebGPU: skipped (no hardware GPU adapter)`);
    const h = await page.evaluate(([u, n]) => window.priorBench.timeWebGpu(u, n, true), [url, 10] as const);
    webgpuFp16Ms[name] = h && +quantile(h.runsMs, 0.5).toFixed(1);
    console.log(h ? `${name} on WebGPU in fp16: median ${webgpuFp16Ms[name]} ms` : `${name} on WebGPU in fp16: skipped (no hardware adapter with shader-f16)`);
  }

  // Landmarks only; the prior; the prior running but its maps unused by the fit (what its CPU
  // share alone costs the track). Alternated so machine load drifts hit all alike; best round each.
  const prior = { onnx: '/models/test-networks/tiny-vit-128.onnx' };
  const variants: Record<'landmarks' | 'prior' | 'priorUnused', Pick<FaceTrackerOptions, 'prior' | 'fitter'>> = {
    landmarks: { prior: 'landmarks' },
    prior: { prior },
    priorUnused: { prior, fitter: { dense: false } },
  };
  const best: Partial<Record<keyof typeof variants, TrackRun>> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [key, options] of Object.entries(variants) as [keyof typeof variants, (typeof variants)[keyof typeof variants]][]) {
      const run = await page.evaluate((o) => window.priorBench.trackVideo(o), options);
      console.log(`round ${r + 1}, ${key} (${run.prior}): ${run.fps.toFixed(1)} fps`);
      if (!best[key] || run.fps > best[key].fps) best[key] = run;
    }
  }
  const withPrior = best.prior!, landmarksOnly = best.landmarks!, priorUnused = best.priorUnused!;
  const dense = withPrior.frames.filter((f) => f.dense > 0);
  // Distinct maps the fit used: each frame's time minus the age of its maps.
  const mapsUsed = new Set(dense.map((f) => Math.round(f.time - f.priorAgeMs!))).size;
  console.log(`with prior: ${dense.length}/${withPrior.frames.length} frames with dense terms, ${mapsUsed} distinct maps in ${withPrior.seconds.toFixed(1)} s`);
  console.log(
    JSON.stringify({
      vit_s16_512_wasm_ms: +wasmMs['vit-s16-512']!.toFixed(0),
      vit_b16_512_wasm_ms: +wasmMs['vit-b16-512']!.toFixed(0),
      tiny_webgpu_vs_wasm_maxabs: Math.max(parity['uv'] as number, parity['normals'] as number),
      dense_fit_ms_p95: +quantile(dense.map((f) => f.fitMs), 0.95).toFixed(2),
      dense_fit_ms_p50: +quantile(dense.map((f) => f.fitMs), 0.5).toFixed(2),
      prior_rate_hz: +(mapsUsed / withPrior.seconds).toFixed(2),
      frame_rate_with_prior_ratio: +(withPrior.fps / landmarksOnly.fps).toFixed(3),
      fps_landmarks_only: +landmarksOnly.fps.toFixed(2),
      fps_with_prior: +withPrior.fps.toFixed(2),
      frame_rate_prior_unused_ratio: +(priorUnused.fps / landmarksOnly.fps).toFixed(3),
      prior_backend: withPrior.prior,
      vit_s16_512_webgpu_ms: webgpuMs['vit-s16-512'],
      vit_b16_512_webgpu_ms: webgpuMs['vit-b16-512'],
      vit_s16_512_webgpu_fp16_ms: webgpuFp16Ms['vit-s16-512'],
      vit_s16_512_fp16_vs_fp32_maxabs: fp16Parity.max,
      vit_s16_512_fp16_vs_fp32_p99abs: fp16Parity.p99,
      landmarks_only_fit_ms_p95: +quantile(landmarksOnly.frames.map((f) => f.fitMs), 0.95).toFixed(2),
      landmarks_only_fit_ms_p50: +quantile(landmarksOnly.frames.map((f) => f.fitMs), 0.5).toFixed(2),
    }),
  );
} finally {
  await session.close();
}

/**
 * Max and 99th-percentile abs difference of the maps of `bytes` and of its fp16 conversion, on
 * one smooth input (the max is a few normals near zero length, which normalization amplifies).
 */
async function halfPrecisionDifference(bytes: Uint8Array): Promise<{ max: number; p99: number }> {
  const size = readPriorSpec({ combined: bytes }, model.uvLayout).inputSize;
  const image = new ort.Tensor('float32', Float32Array.from({ length: 3 * size * size }, (_, i) => Math.sin(i * 0.01)), [1, 3, size, size]);
  const maps = async (b: Uint8Array) => {
    const session = await ort.InferenceSession.create(b);
    const out = await session.run({ image });
    await session.release();
    return out;
  };
  const [full, half] = [await maps(bytes), await maps(convertToFloat16(bytes).bytes)];
  const differences: number[] = [];
  for (const name of ['uv', 'normals']) {
    const a = full[name]!.data as Float32Array, b = half[name]!.data as Float32Array;
    for (let i = 0; i < a.length; i++) differences.push(Math.abs(a[i]! - b[i]!));
  }
  return { max: +differences.reduce((m, d) => Math.max(m, d), 0).toPrecision(2), p99: +quantile(differences, 0.99).toPrecision(2) };
}
