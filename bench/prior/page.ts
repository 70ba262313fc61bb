/**
 * The prior benchmark's page: network inference on WASM, WebGPU/WASM parity, and the tracker
 * over the sample video with and without the prior.
 */
import { FaceTracker, openVideoFile, type FaceTrackerOptions } from '../../src/index.js';
import { BufferUsage, navigatorGpu, type GpuBuffer } from '../../src/workers/prior/kernels/webgpuTypes.js';
import { convertToFloat16 } from '../../src/workers/prior/onnx/convertToFloat16.js';
import { readPriorSpec } from '../../src/workers/prior/priorContract.js';
import { configureOrt, PriorNetwork } from '../../src/workers/prior/PriorNetwork.js';
import { backendParity } from '../../test/browser/pages/prior-kernels.js';
import { PACKAGE_ASSETS } from '../packageAssets.js';

export interface InferenceTiming {
  loadMs: number;
  /** Per timed run, ms. */
  runsMs: number[];
}

export interface TrackRun {
  fps: number;
  seconds: number;
  /** 'landmarks', or the prior's backend ('off' if it stopped). */
  prior: string;
  /** Per frame with a face. */
  frames: { time: number; fitMs: number; dense: number; priorAgeMs?: number }[];
}

declare global {
  interface Window {
    priorBench: {
      timeWasm(url: string, runs: number): Promise<InferenceTiming>;
      timeWebGpu(url: string, runs: number, fp16?: boolean): Promise<InferenceTiming | null>;
      backendParity: typeof backendParity;
      trackVideo(options: Pick<FaceTrackerOptions, 'prior' | 'fitter'>): Promise<TrackRun>;
    };
  }
}

configureOrt({ loaderUrl: '/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.mjs', wasm: '/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.wasm' });

/** One untimed warm-up run, then `runs` timed ones on a fixed input. */
async function timeWasm(url: string, runs: number): Promise<InferenceTiming> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const spec = readPriorSpec({ combined: bytes }, 'ict-facekit');
  const t0 = performance.now();
  const network = await PriorNetwork.create({ combined: bytes }, spec, 'wasm');
  const loadMs = performance.now() - t0;
  const input = Float32Array.from({ length: 3 * spec.inputSize ** 2 }, (_, i) => Math.sin(i * 0.01));
  const runsMs: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const start = performance.now();
    await network.runCpu(input);
    if (r > 0) runsMs.push(performance.now() - start);
  }
  await network.dispose();
  return { loadMs, runsMs };
}

/**
 * The same on WebGPU, GPU tensors in and out (as the tracker runs it), in fp16 on request (as
 * the tracker's `fp16` converts it); null where the only adapter is a software one (SwiftShader),
 * whose timings say nothing about GPUs, or fp16 is asked of an adapter without shader-f16.
 */
async function timeWebGpu(url: string, runs: number, fp16 = false): Promise<InferenceTiming | null> {
  const adapter = await navigatorGpu()?.requestAdapter();
  if (!adapter || adapter.info?.isFallbackAdapter || (fp16 && !adapter.features.has('shader-f16'))) return null;
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const spec = readPriorSpec({ combined: bytes }, 'ict-facekit');
  const t0 = performance.now();
  const network = await PriorNetwork.create({ combined: fp16 ? convertToFloat16(bytes).bytes : bytes }, spec, 'webgpu');
  const loadMs = performance.now() - t0;
  const device = await PriorNetwork.gpuDevice();
  const plane = spec.inputSize ** 2 * 4;
  const buffer = (bytes: number): GpuBuffer => device.createBuffer({ size: bytes, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
  const input = buffer(3 * plane), maps = { uv: buffer(2 * plane), normals: buffer(3 * plane) };
  const runsMs: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const start = performance.now();
    await network.runGpu(input, maps);
    await device.queue.onSubmittedWorkDone();
    if (r > 0) runsMs.push(performance.now() - start);
  }
  await network.dispose();
  for (const b of [input, maps.uv, maps.normals]) b.destroy();
  return { loadMs, runsMs };
}

/** The tracker over every frame of the sample video, offline, two frames in flight (as bench/pipeline). */
async function trackVideo(options: Pick<FaceTrackerOptions, 'prior' | 'fitter'>): Promise<TrackRun> {
  const tracker = await FaceTracker.create({ cache: false, ...PACKAGE_ASSETS, ...options });
  const { frames } = await openVideoFile('/examples/media/webcam-head-motion.mp4');
  const out: TrackRun['frames'] = [];
  const inFlight: Promise<unknown>[] = [];
  let count = 0;
  const t0 = performance.now();
  for await (const { frame, videoTime } of frames()) {
    inFlight.push(
      tracker.track(frame, videoTime).then((f) => {
        if (f) out.push({ time: f.timeMs, fitMs: f.timings.fitMs, dense: f.fit.denseCount, ...(f.timings.priorAgeMs !== undefined ? { priorAgeMs: f.timings.priorAgeMs } : {}) });
      }),
    );
    count++;
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - t0) / 1000;
  const info = tracker.info.prior;
  tracker.dispose();
  return { fps: count / seconds, seconds, prior: typeof info === 'object' ? `${info.backend}` : info, frames: out };
}

window.priorBench = { timeWasm, timeWebGpu, backendParity, trackVideo };
