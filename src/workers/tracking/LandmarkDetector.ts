import { FaceLandmarker } from '@mediapipe/tasks-vision';
import { MEDIAPIPE_BLENDSHAPES } from '../../core/arkit.js';
import { TrackerError } from '../../core/errors.js';
import { FaceSelector } from '../../core/image/FaceSelector.js';
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
/**
 * Frames larger than this (px, the larger side) reach MediaPipe downscaled to it: its cost grows
 * with the pixels it takes in (about 5× from 720p to 4K), while its networks see at most a
 * 256 px face and a 128 px picture for detection, so a 4K frame tells it nothing a 1280 px one
 * does not (`npm run bench -- inputsize`).
 */
export const MAX_LANDMARK_INPUT_PX = 1280;

/** The time step (ms) MediaPipe is given where the caller's clock goes back: one frame at 30 fps. */
const FRAME_STEP_MS = 1000 / 30;

export class LandmarkDetector {
  private lastTimeMs = -Infinity;
  /** Added to the caller's times once they went back (a reset, a new clip, a looped video). */
  private timeOffsetMs = 0;
  private readonly selector = new FaceSelector();
  /** Where a large frame is downscaled for MediaPipe (made on the first large frame). */
  private canvas?: OffscreenCanvas;
  private context?: OffscreenCanvasRenderingContext2D;

  private constructor(private readonly landmarker: FaceLandmarker) {}

  /**
   * `maxFaces`: how many faces MediaPipe looks for; the tracked one is chosen among them
   * (`FaceSelector`: the largest, with hysteresis). With 1, MediaPipe keeps whichever face it found
   * first; with 2 it runs its face detector on every frame while only one face is in view, and a
   * single face's points are a little less steady (`FaceTrackerOptions.maxFaces`).
   */
  static async create(taskBytes: Uint8Array, runtime: WasmRuntime, delegate: 'CPU' | 'GPU' = 'CPU', maxFaces = 1): Promise<LandmarkDetector> {
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
          numFaces: maxFaces,
          outputFaceBlendshapes: true,
          outputFacialTransformationMatrixes: false,
        },
      ),
      instantiationFailed,
    ]);
    return new LandmarkDetector(landmarker);
  }

  /**
   * Detects the tracked face in `frame` (see `FaceSelector`); null when there is none.
   */
  detect(frame: VideoFrame | ImageBitmap, timeMs: number, width: number, height: number): DetectedFace | null {
    // VIDEO mode needs increasing times, and its landmark filter reads their steps: a clock that
    // goes back continues one frame (33 ms) after the last time instead of creeping on by 1 µs steps.
    if (timeMs + this.timeOffsetMs <= this.lastTimeMs) this.timeOffsetMs = this.lastTimeMs + FRAME_STEP_MS - timeMs;
    const ts = timeMs + this.timeOffsetMs;
    this.lastTimeMs = ts;
    const result = this.landmarker.detectForVideo(this.downscaled(frame, width, height), ts);
    const faces = result.faceLandmarks.filter((points) => points.length >= 478).map((points) => {
      const landmarks = new Float32Array(478 * 2);
      for (let i = 0; i < 478; i++) {
        landmarks[2 * i] = points[i]!.x * width;
        landmarks[2 * i + 1] = points[i]!.y * height;
      }
      return { landmarks, blendshapes: result.faceBlendshapes[result.faceLandmarks.indexOf(points)] };
    });
    const selected = this.selector.select(faces.map((f) => f.landmarks));
    if (!selected) return null;
    const face = faces[selected.index]!;
    const blendshapes = new Float32Array(MEDIAPIPE_BLENDSHAPES.length);
    for (const c of face.blendshapes?.categories ?? []) {
      const i = MEDIAPIPE_BLENDSHAPES.indexOf(c.categoryName as (typeof MEDIAPIPE_BLENDSHAPES)[number]);
      if (i >= 0) blendshapes[i] = c.score;
    }
    return { landmarks: face.landmarks, blendshapes, ...(selected.switched ? { switched: true } : {}) };
  }

  /**
   * `frame`, or for a frame over `MAX_LANDMARK_INPUT_PX` a copy at that size (one GPU blit where
   * the canvas is accelerated). MediaPipe's points are relative to the picture, so they need no
   * change; the copy is drawn as displayed (rotation applied), as MediaPipe reads a frame.
   */
  private downscaled(frame: VideoFrame | ImageBitmap, width: number, height: number): VideoFrame | ImageBitmap | OffscreenCanvas {
    const scale = MAX_LANDMARK_INPUT_PX / Math.max(width, height);
    if (scale >= 1) return frame;
    const w = Math.round(width * scale), h = Math.round(height * scale);
    if (!this.canvas || !this.context) {
      this.canvas = new OffscreenCanvas(w, h);
      this.context = this.canvas.getContext('2d', { alpha: false, desynchronized: true }) ?? undefined;
      if (!this.context) return frame;
    }
    if (this.canvas.width !== w || this.canvas.height !== h) (this.canvas.width = w), (this.canvas.height = h);
    this.context.drawImage(frame, 0, 0, w, h);
    return this.canvas;
  }

  /** Forget the tracked face: the next frame takes the largest in view. */
  reset(): void {
    this.selector.reset();
  }

  close(): void {
    this.landmarker.close();
  }
}
