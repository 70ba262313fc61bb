import { FaceLandmarker } from '@mediapipe/tasks-vision';
import { MEDIAPIPE_BLENDSHAPES } from '../../core/arkit.js';
import { TrackerError } from '../../core/errors.js';
import type { DetectedFace } from '../protocol.js';
import type { WasmRuntime } from '../wasmRuntime.js';

/**
 * What a MediaPipe start-up failure says, without the C++ source-location trace its WASM appends
 * (a dozen lines of source file names that tell a user nothing).
 */
export function mediaPipeFailureReason(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.split(/\s*=== Source Location Trace/)[0]!.trim();
}

/** The globals through which MediaPipe's task API starts its WASM module (Emscripten's protocol). */
interface EmscriptenScope {
  ModuleFactory?: unknown;
  Module?: { instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void): object };
}

/**
 * MediaPipe FaceLandmarker (VIDEO mode), in the tracking worker (or on the page, as a fallback:
 * the one tracking-worker stage the page may load). Both use MediaPipe's ES-module WASM build,
 * imported here, with the binary the page downloaded.
 */
export class LandmarkDetector {
  private lastTimeMs = -Infinity;

  private constructor(private readonly landmarker: FaceLandmarker) {}

  static async create(taskBytes: Uint8Array, runtime: WasmRuntime, delegate: 'CPU' | 'GPU' = 'CPU'): Promise<LandmarkDetector> {
    let loader: { default: unknown };
    try {
      loader = await import(/* @vite-ignore */ /* webpackIgnore: true */ runtime.loaderUrl);
    } catch (cause) {
      throw new TrackerError('model-fetch', `MediaPipe's WASM loader could not be loaded from ${runtime.loaderUrl} (${(cause as Error).message}). Check that the file is served there.`, { url: runtime.loaderUrl }, { cause });
    }
    const module = await WebAssembly.compile(runtime.wasm as Uint8Array<ArrayBuffer>).catch((cause: Error) => {
      throw new TrackerError('model-fetch', `MediaPipe's WASM binary does not compile (${cause.message}): the download is damaged or of another version than its loader.`, {}, { cause });
    });
    // MediaPipe takes the factory from the global scope (and clears it after use, so set it for
    // every start); `instantiateWasm` hands Emscripten the compiled binary instead of a URL.
    let failInstantiation: (cause: unknown) => void = () => undefined;
    const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
    const scope = globalThis as EmscriptenScope;
    scope.ModuleFactory = loader.default;
    scope.Module = {
      instantiateWasm(imports, done) {
        WebAssembly.instantiate(module, imports).then(done, (cause: Error) =>
          failInstantiation(new TrackerError('model-fetch', `MediaPipe's WASM binary does not match its loader (${cause.message}): serve the two files of one MediaPipe version.`, {}, { cause })),
        );
        return {};
      },
    };
    const landmarker = await Promise.race([
      FaceLandmarker.createFromOptions(
        // No loader path: the factory is set above. No binary path: `instantiateWasm` supplies it.
        { wasmLoaderPath: '', wasmBinaryPath: '' },
        {
          baseOptions: { modelAssetBuffer: taskBytes, delegate },
          runningMode: 'VIDEO',
          numFaces: 1,
          outputFaceBlendshapes: true,
          outputFacialTransformationMatrixes: false,
        },
      ),
      instantiationFailed,
    ]);
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
