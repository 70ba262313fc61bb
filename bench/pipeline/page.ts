/**
 * The pipeline benchmark's page: our tracker and MediaPipe alone over the same frames of the
 * sample video (offline, every frame, two in flight), then the live path on a playing video.
 */
import * as Comlink from 'comlink';
import { FaceTracker, openVideoFile, type FaceFrame } from '../../src/index.js';
import { packageAssetUrls } from '../../src/sdk/tracker/packageAssets.js';
import type { WasmRuntime } from '../../src/workers/wasmRuntime.js';
import { PACKAGE_ASSETS } from '../packageAssets.js';

interface LandmarksOnly {
  init(task: Uint8Array, runtime: WasmRuntime, maxFaces?: number): Promise<void>;
  detect(frame: VideoFrame, timeMs: number): Promise<Float32Array | null>;
  detectTimed(frame: VideoFrame, timeMs: number): Promise<number>;
}

export interface PipelineRun {
  trackerFps: number[];
  mediapipeFps: number[];
  /** Per offline frame: mean distance fitted↔MediaPipe landmarks / inter-ocular distance. */
  reprojIod: number[];
  latencyMs: number[];
  mainThreadMsP95: number;
  liveFrames: number;
  dropped: number;
}

/** Per clip and round: the tracking worker's per-frame times (ms), every frame tracked one at a time. */
export interface InputSizeRun {
  worker: Record<string, { workerMs: number[]; landmarksMs: number[]; fitMs: number[] }>;
  /** MediaPipe alone in its worker on the first clip, per frame (ms), by how many faces it looks for. */
  mediapipeByMaxFaces: Record<string, number[]>;
}

declare global {
  interface Window {
    runInputSizeBench(videoUrls: string[], rounds: number): Promise<InputSizeRun>;
    runPipelineBench(videoUrl: string, rounds: number): Promise<PipelineRun>;
    /** MediaPipe alone over every frame of the video, two in flight: frames per second. */
    runMediapipeOnly(videoUrl: string): Promise<number>;
  }
}

/** MediaPipe FaceLandmarker alone, in its own worker, fed exactly as the tracker's worker is. */
async function startMediapipeOnly(maxFaces?: number): Promise<{ detector: Comlink.Remote<LandmarksOnly>; worker: Worker }> {
  const worker = new Worker('/dist/bench/landmarks-worker.js', { type: 'module' });
  const detector = Comlink.wrap<LandmarksOnly>(worker);
  const urls = packageAssetUrls(PACKAGE_ASSETS.assetBaseUrl);
  const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const [task, wasm] = await Promise.all([bytes(urls.landmarker), bytes(urls.mediapipeWasm)]);
  await detector.init(Comlink.transfer(task, [task.buffer]), Comlink.transfer({ loaderUrl: urls.mediapipeLoader, wasm }, [wasm.buffer]), maxFaces);
  return { detector, worker };
}

const detectWith = (detector: Comlink.Remote<LandmarksOnly>) => (frame: VideoFrame, videoTime: number) => detector.detect(Comlink.transfer(frame, [frame as unknown as Transferable]), videoTime * 1000);

window.runMediapipeOnly = async (videoUrl) => {
  const { detector, worker } = await startMediapipeOnly();
  try {
    return await offlineFps(videoUrl, detectWith(detector));
  } finally {
    worker.terminate();
  }
};

/** Frames per second of `process` over every frame of the video, two frames in flight. */
async function offlineFps(videoUrl: string, process: (frame: VideoFrame, videoTime: number) => Promise<unknown>): Promise<number> {
  const { frames } = await openVideoFile(videoUrl);
  const inFlight: Promise<unknown>[] = [];
  let count = 0;
  const t0 = performance.now();
  for await (const { frame, videoTime } of frames()) {
    inFlight.push(process(frame, videoTime));
    count++;
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return (count * 1000) / (performance.now() - t0);
}

function reprojection(f: FaceFrame): number {
  const a = f.landmarks2d, b = f.mediapipeLandmarks;
  const iod = Math.hypot(b[2 * 33]! - b[2 * 263]!, b[2 * 33 + 1]! - b[2 * 263 + 1]!);
  let sum = 0;
  for (let k = 0; k < 478; k++) sum += Math.hypot(a[2 * k]! - b[2 * k]!, a[2 * k + 1]! - b[2 * k + 1]!);
  return sum / 478 / iod;
}

window.runPipelineBench = async (videoUrl, rounds) => {
  const tracker = await FaceTracker.create({ cache: false, ...PACKAGE_ASSETS });
  const { detector: landmarksOnly, worker } = await startMediapipeOnly();

  const run: PipelineRun = { trackerFps: [], mediapipeFps: [], reprojIod: [], latencyMs: [], mainThreadMsP95: 0, liveFrames: 0, dropped: 0 };
  // Alternate the two so that machine load drifts hit both alike.
  for (let r = 0; r < rounds; r++) {
    run.mediapipeFps.push(await offlineFps(videoUrl, detectWith(landmarksOnly)));
    const reproj: number[] = [];
    run.trackerFps.push(await offlineFps(videoUrl, (frame, t) => tracker.track(frame, t).then((f) => f && reproj.push(reprojection(f)))));
    run.reprojIod = reproj;
  }
  worker.terminate();

  // Live: the video plays in real time; frames are grabbed on the main thread and events come back.
  await tracker.reset();
  const video = document.createElement('video');
  video.src = videoUrl;
  video.muted = true;
  await video.play();
  tracker.addEventListener('frame', (e) => {
    run.latencyMs.push(e.detail.timings.latencyMs);
    run.liveFrames++;
  });
  let lastStats: { mainThreadMsP95: number; dropped: number } | undefined;
  tracker.addEventListener('stats', (e) => (lastStats = e.detail));
  await tracker.start(video);
  await new Promise((r) => video.addEventListener('ended', r, { once: true }));
  await new Promise((r) => setTimeout(r, 1100)); // one more stats event
  tracker.stop();
  run.mainThreadMsP95 = lastStats?.mainThreadMsP95 ?? NaN;
  run.dropped = lastStats?.dropped ?? 0;
  tracker.dispose();
  return run;
};

window.runInputSizeBench = async (videoUrls, rounds) => {
  const run: InputSizeRun = { worker: {}, mediapipeByMaxFaces: {} };
  const tracker = await FaceTracker.create({ cache: false, ...PACKAGE_ASSETS });
  const detectors = await Promise.all([1, 2].map(async (maxFaces) => ({ maxFaces, ...(await startMediapipeOnly(maxFaces)) })));
  // Alternate the clips (and the detectors) so that machine load drifts hit all alike.
  for (let r = 0; r < rounds; r++) {
    for (const url of videoUrls) {
      await tracker.reset();
      const times = (run.worker[url] ??= { workerMs: [], landmarksMs: [], fitMs: [] });
      const { frames } = await openVideoFile(url);
      for await (const { frame, videoTime } of frames()) {
        const f = await tracker.track(frame, videoTime);
        frame.close();
        if (!f) continue;
        times.workerMs.push(f.timings.workerMs);
        times.landmarksMs.push(f.timings.landmarksMs);
        times.fitMs.push(f.timings.fitMs);
      }
    }
    for (const { maxFaces, detector } of detectors) {
      const times = (run.mediapipeByMaxFaces[maxFaces] ??= []);
      const { frames } = await openVideoFile(videoUrls[0]!);
      for await (const { frame, videoTime } of frames()) {
        times.push(await detector.detectTimed(Comlink.transfer(frame, [frame as unknown as Transferable]), videoTime * 1000 + r * 1e6));
      }
    }
  }
  for (const { worker } of detectors) worker.terminate();
  tracker.dispose();
  return run;
};
