/** Benchmark baseline: MediaPipe FaceLandmarker alone, in a worker, fed exactly like the tracker's worker. */
import * as Comlink from 'comlink';
import { LandmarkDetector } from '../../src/workers/tracking/LandmarkDetector.js';
import type { WasmRuntime } from '../../src/workers/wasmRuntime.js';

let detector: LandmarkDetector | undefined;

Comlink.expose({
  async init(task: Uint8Array, runtime: WasmRuntime) {
    detector = await LandmarkDetector.create(task, runtime, 'CPU');
  },
  detect(frame: VideoFrame, timeMs: number): Float32Array | null {
    try {
      return detector!.detect(frame, timeMs, frame.displayWidth, frame.displayHeight)?.landmarks ?? null;
    } finally {
      frame.close();
    }
  },
});
