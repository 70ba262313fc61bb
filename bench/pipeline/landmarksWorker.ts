/** Benchmark baseline: MediaPipe FaceLandmarker alone, in a worker, fed exactly like the tracker's worker. */
import * as Comlink from 'comlink';
import { LandmarkDetector } from '../../src/workers/tracking/LandmarkDetector.js';
import type { WasmRuntime } from '../../src/workers/wasmRuntime.js';

let detector: LandmarkDetector | undefined;

Comlink.expose({
  async init(task: Uint8Array, runtime: WasmRuntime, maxFaces?: number) {
    detector = await LandmarkDetector.create(task, runtime, 'CPU', maxFaces);
  },
  detect(frame: VideoFrame, timeMs: number): Float32Array | null {
    try {
      return detector!.detect(frame, timeMs, frame.displayWidth, frame.displayHeight)?.landmarks ?? null;
    } finally {
      frame.close();
    }
  },
  /** The detection's time in this worker, ms (what the tracker's worker spends on it). */
  detectTimed(frame: VideoFrame, timeMs: number): number {
    try {
      const t0 = performance.now();
      detector!.detect(frame, timeMs, frame.displayWidth, frame.displayHeight);
      return performance.now() - t0;
    } finally {
      frame.close();
    }
  },
});
