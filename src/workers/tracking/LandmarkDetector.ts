import { FaceLandmarker } from '@mediapipe/tasks-vision';
import { MEDIAPIPE_BLENDSHAPES } from '../../core/arkit.js';
import type { DetectedFace } from '../protocol.js';

/**
 * MediaPipe FaceLandmarker (VIDEO mode), in the tracking worker (or on the page, as a fallback:
 * the one tracking-worker stage the page may load).
 * In a worker it uses MediaPipe's ES-module WASM loader, which registers `ModuleFactory`
 * globally: the classic loader cannot run in a module worker.
 */
export class LandmarkDetector {
  private lastTimeMs = -Infinity;

  private constructor(private readonly landmarker: FaceLandmarker) {}

  static async create(taskBytes: Uint8Array, wasmBaseUrl: string, delegate: 'CPU' | 'GPU' = 'CPU'): Promise<LandmarkDetector> {
    const base = wasmBaseUrl.endsWith('/') ? wasmBaseUrl : `${wasmBaseUrl}/`;
    // A page loads MediaPipe's classic loader with a <script> tag; a module worker needs its ES-module build.
    const loader = typeof document === 'undefined' ? 'vision_wasm_module_internal' : 'vision_wasm_internal';
    const landmarker = await FaceLandmarker.createFromOptions(
      { wasmLoaderPath: `${base}${loader}.js`, wasmBinaryPath: `${base}${loader}.wasm` },
      {
        baseOptions: { modelAssetBuffer: taskBytes, delegate },
        runningMode: 'VIDEO',
        numFaces: 1,
        outputFaceBlendshapes: true,
        outputFacialTransformationMatrixes: false,
      },
    );
    return new LandmarkDetector(landmarker);
  }

  /** Detects the face in `frame`; null when there is none. Timestamps are forced increasing, as VIDEO mode requires. */
  detect(frame: VideoFrame | ImageBitmap, timeMs: number, width: number, height: number): DetectedFace | null {
    const ts = Math.max(timeMs, this.lastTimeMs + 0.001);
    this.lastTimeMs = ts;
    const result = this.landmarker.detectForVideo(frame, ts);
    const points = result.faceLandmarks[0];
    if (!points || points.length < 478) return null;
    const landmarks = new Float32Array(478 * 2);
    for (let i = 0; i < 478; i++) {
      landmarks[2 * i] = points[i]!.x * width;
      landmarks[2 * i + 1] = points[i]!.y * height;
    }
    const blendshapes = new Float32Array(MEDIAPIPE_BLENDSHAPES.length);
    for (const c of result.faceBlendshapes[0]?.categories ?? []) {
      const i = MEDIAPIPE_BLENDSHAPES.indexOf(c.categoryName as (typeof MEDIAPIPE_BLENDSHAPES)[number]);
      if (i >= 0) blendshapes[i] = c.score;
    }
    return { landmarks, blendshapes };
  }

  close(): void {
    this.landmarker.close();
  }
}
