/**
 * The prior worker's contract: what the tracking worker's `PriorStage` and the prior worker
 * exchange (over comlink). It imports only core types, never the code on either side.
 */
import type { NormalsSpace } from '../core/fit/types.js';
import type { FaceCrop } from '../core/image/FaceCropTracker.js';
import type { WasmRuntime } from './wasmRuntime.js';

/** The prior's model file(s): one with both outputs, or one per output (as Pixel3DMM ships them). */
export type PriorModelBytes = { combined: Uint8Array } | { uv: Uint8Array; normals: Uint8Array };

/** Where the network runs: 'auto' takes WebGPU on a hardware adapter, else WASM. */
export type PriorBackendChoice = 'auto' | 'webgpu' | 'wasm';

export interface PriorWorkerInit {
  models: PriorModelBytes;
  /** The face model's UV layout: the prior must name the same. */
  uvLayout: string;
  backend: PriorBackendChoice;
  /** Half precision where the adapter has shader-f16 (WebGPU only). */
  fp16: boolean;
  /** Mirror test-time augmentation: two passes, averaged. */
  tta: boolean;
  /** [count][2] UVs (in [-1, 1]) of the model vertices to look up. */
  vertexUvs: Float32Array;
  /**
   * The u (in [-1, 1]) about which the face model's UV layout is left-right symmetric, as the
   * tracking worker estimates it from the model (mirrored u = 2c − u; TTA then averages UVs too);
   * absent: not symmetric. A prior's `pixel3dmm.uv_mirror_centre` takes precedence.
   */
  uvMirrorCentre?: number;
  /** ONNX Runtime's WASM build. */
  ort: WasmRuntime;
}

/** What runs where, as `FaceTrackerInfo.prior` reports it. */
export interface PriorRuntimeInfo {
  backend: 'webgpu' | 'wasm';
  preprocessing: 'gpu' | 'cpu';
  fp16: boolean;
  tta: boolean;
  inputSize: number;
  uvLayout: string;
  /** The frame of the predicted normals (and of the lookup records' normals). */
  normalsSpace: NormalsSpace;
  /** The UV mirror centre TTA merges with (the prior's, else the face model's); absent: UVs are not merged. */
  uvMirrorCentre?: number;
  /** Candidate vertices looked up per run. */
  vertices: number;
  /** Why a requested feature or the first-choice backend is not in use. */
  notes: string[];
}

/** One run's input besides the frame: the crop and the face outline (frame px). */
export interface PriorRequest {
  crop: FaceCrop;
  frameWidth: number;
  frameHeight: number;
  /** [points][2] the face outline, frame px: only pixels inside it are used. */
  outline: Float32Array;
}

/**
 * Floats per candidate vertex in `PriorResult.records`: x, y (network-input px, pixel centres at
 * k + 0.5; x = −1 when no pixel was found), the UV distance of the pixel found, and the unit
 * normal predicted there (x, y, z; in `PriorRuntimeInfo.normalsSpace`).
 */
export const DENSE_RECORD_FLOATS = 6;

export interface PriorResult {
  /** [vertices][DENSE_RECORD_FLOATS] lookup records, one per candidate vertex. */
  records: Float32Array;
  timings: { preprocessMs: number; inferenceMs: number; postprocessMs: number };
}

export interface PriorWorkerApi {
  init(init: PriorWorkerInit): Promise<PriorRuntimeInfo>;
  /** Runs the prior on `frame` (closed by the worker). Rejects with a `WorkerErrorPayload` (see `wireError.ts`). */
  run(frame: VideoFrame, request: PriorRequest): Promise<PriorResult>;
  /** Called once if the GPU device is lost; the prior is unusable afterwards. */
  onDeviceLost(listener: (message: string) => void): void;
}
