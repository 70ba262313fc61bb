/**
 * The tracking worker's contract: what the page and the tracking worker exchange (over comlink).
 * It imports only core types and the prior worker's contract, never the code on either side.
 */
import type { FaceFrame } from '../core/FaceFrame.js';
import type { FaceFitterOptions } from '../core/fit/FaceFitterOptions.js';
import type { FaceModelInfo } from '../core/model/FaceModel.js';
import type { FaceSmootherOptions } from '../core/smoothing/FaceSmoother.js';
import type { TrackerErrorCode } from '../core/errors.js';
import type { PriorBackendChoice, PriorModelBytes, PriorRuntimeInfo } from './priorProtocol.js';
import type { WasmRuntime } from './wasmRuntime.js';

/** How the tracking worker fits and smooths; plain data (it is structured-cloned). */
export interface PipelineOptions {
  fitter?: FaceFitterOptions;
  /** One Euro smoothing; `false` turns it off (zero lag). */
  smoothing?: FaceSmootherOptions | false;
  /** Also report the posed mesh vertices (camera space) with every frame. */
  outputVertices?: boolean;
  /**
   * The user's resting ARKit weights the fitter used (`fitter.neutral`) when the worker before
   * this one crashed: a restarted worker goes on with them (`NeutralCalibration.restore`) rather
   * than asking the user to rest again.
   */
  restoredNeutral?: number[];
}

/** The ViT prior as the tracking worker runs it: the network bytes and resolved settings (the page applies the defaults). */
export interface PriorStageOptions {
  models: PriorModelBytes;
  /** The prior worker's script. */
  workerUrl: string;
  /** ONNX Runtime's WASM build (the WebGPU build with Asyncify). */
  ort: WasmRuntime;
  backend: PriorBackendChoice;
  tta: boolean;
  fp16: boolean;
  /** Maps older than this (frame clock, ms) are not used. */
  maxAgeMs: number;
}

/** What the main thread hands the tracking worker at start-up. */
export interface WorkerInit {
  faceModel: Uint8Array;
  /** MediaPipe FaceLandmarker .task bytes. */
  landmarker: Uint8Array;
  /** MediaPipe's WASM runtime (its ES-module build). */
  mediapipe: WasmRuntime;
  delegate: 'CPU' | 'GPU';
  /** How many faces MediaPipe looks for (the largest is tracked). */
  maxFaces: number;
  /** Run MediaPipe here (true), or take the page's landmarks with each frame (the main-thread fallback). */
  landmarksInWorker: boolean;
  pipeline: PipelineOptions;
  /** The ViT prior, when the tracker runs one. */
  prior?: PriorStageOptions;
}

/** What the worker reports once ready. */
export interface WorkerReady {
  model: FaceModelInfo;
  /** How the ViT prior runs, when there is one. */
  prior?: PriorRuntimeInfo;
}

/** Where a frame came from: its time on the frame clock (ms) and its position in the source (s). */
export interface FrameMeta {
  timeMs: number;
  videoTime: number;
}

/** MediaPipe's output for one face, in full-frame pixels (detected in the worker, or on the page in the main-thread fallback). */
export interface DetectedFace {
  /** [478][2] px, x right, y down. */
  landmarks: Float32Array;
  /** 52 scores in `MEDIAPIPE_BLENDSHAPES` order. */
  blendshapes: Float32Array;
  /** Another face than in the frame before (several in view, the tracked one gone or outgrown): the fit starts afresh. */
  switched?: boolean;
}

/** One frame's outcome: the fitted face (null: none found). */
export interface TrackResult {
  face: FaceFrame | null;
  /** The user's resting ARKit weights (`fitter.neutral`), when their recording finished with this frame. */
  neutralRecorded?: number[];
}

/** Reported once when the ViT prior stops for good; the tracker carries on with landmarks only. */
export interface PriorStoppedEvent {
  type: 'stopped';
  code: TrackerErrorCode;
  message: string;
}

/** The tracking worker's RPC surface (comlink). Failures reject with a `WorkerErrorPayload` (see `wireError.ts`). */
export interface TrackingWorkerApi {
  init(init: WorkerInit): Promise<WorkerReady>;
  /**
   * Tracks one frame and closes it (`face` null when no face is found). `landmarks`: the page's
   * MediaPipe result for the frame, when landmarks run on the main thread.
   */
  track(frame: VideoFrame | ImageBitmap, meta: FrameMeta, landmarks?: { face: DetectedFace | null }): Promise<TrackResult>;
  /** A new person: identity and motion start over, and their resting face is recorded afresh unless one was given. */
  reset(): void;
  /** Records the resting face afresh over the next frames with a face (`invalid-state` without `fitter.neutral`). */
  calibrateNeutral(): void;
  /** Uses these resting weights again, ending a recording in progress (a recalibration given up). */
  restoreNeutral(weights: number[]): void;
  /** Called once if the ViT prior stops (GPU device lost, repeated failures); tracking goes on with landmarks. */
  onPriorEvent(listener: (event: PriorStoppedEvent) => void): void;
}
