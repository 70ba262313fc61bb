/**
 * `FaceTracker`'s public types: its options (with their defaults), what `info` reports and the
 * events it dispatches.
 */
import { TrackerError } from '../../core/errors.js';
import type { FaceFrame } from '../../core/FaceFrame.js';
import type { FaceFitterOptions } from '../../core/fit/FaceFitterOptions.js';
import type { FaceModelInfo } from '../../core/model/FaceModel.js';
import type { FaceSmootherOptions } from '../../core/smoothing/FaceSmoother.js';
import type { PriorBackendChoice, PriorRuntimeInfo } from '../../workers/priorProtocol.js';
import type { PriorStageOptions } from '../../workers/protocol.js';
import type { LoadProgress } from './fetchAsset.js';
import type { TrackerStatsSnapshot } from './TrackerStats.js';

export interface FaceTrackerOptions {
  /** Face model .glb (default: the bundled ICT FaceKit model). */
  model?: string | URL;
  /** MediaPipe FaceLandmarker .task (default: the bundled one). */
  landmarker?: string | URL;
  /**
   * Where the package's own files are served when not from beside the SDK's module (which is
   * where bundlers put them): the root of a copy of the package, holding its `dist/` and
   * `models/`, e.g. `https://cdn.jsdelivr.net/npm/pixel3dmm-web@0.1.0/` or `/vendor/pixel3dmm-web/`.
   * `model`, `landmarker` and `workerUrl` still override single files.
   */
  assetBaseUrl?: string | URL;
  /** The tracking worker script (default: the package's). */
  workerUrl?: string | URL;
  /**
   * Screen-space cues. 'landmarks' (default): MediaPipe's points only. `{ onnx }`: also a
   * Pixel3DMM-style ViT prior (per-pixel UV and normal maps of the face crop) as dense terms.
   */
  prior?: 'landmarks' | PriorOptions;
  /** One Euro smoothing per parameter group; `false` for none (zero lag). Plain data: it is sent to the worker. */
  smoothing?: FaceSmootherOptions | false;
  /** The fitter's weights and policies. Plain data: it is sent to the worker. */
  fitter?: FaceFitterOptions;
  /** Extra per-frame outputs. `vertices`: the posed mesh in camera space (costs a copy per frame). */
  outputs?: { vertices?: boolean };
  /** MediaPipe delegate; CPU is faster than software WebGL. */
  delegate?: 'CPU' | 'GPU';
  /**
   * How many faces MediaPipe looks for (an integer ≥ 1; default 1). With 1 it follows the face it
   * found first until that face is lost. With 2 or more the tracker follows the largest, with
   * hysteresis (README, "What goes in"); MediaPipe then runs its face detector on every frame
   * while fewer faces are in view, which makes a single face's points a little less steady
   * (weaker winks and lip partings in the sample video).
   */
  maxFaces?: number;
  /**
   * Where MediaPipe runs: 'auto' (default) the worker, falling back to the main thread where the
   * browser cannot run it in a worker; 'worker' or 'main-thread' to choose. On the main thread it
   * costs the page MediaPipe's time per frame (tens of ms); `info` says when that happens.
   */
  landmarks?: 'auto' | 'worker' | 'main-thread';
  /** Keep downloaded model files in Cache Storage (default true). */
  cache?: boolean;
  onProgress?: (progress: LoadProgress) => void;
  /**
   * A download that receives no byte for this long, in ms, is abandoned (retried, then a
   * `model-fetch` error naming the URL and the bytes that arrived). Default 30 000; 0: never.
   * A stall, not a total-time limit: a big file on a slow link finishes while bytes keep coming.
   */
  downloadStallTimeoutMs?: number;
  /** Further attempts after a stalled, cut-off or failed (network, HTTP 5xx) download; default 2, after 1 s then 2 s. */
  downloadRetries?: number;
  /**
   * Cancels `create`: aborting it stops the downloads in progress (and a tracker that started
   * meanwhile is disposed); `create` rejects with a `disposed` TrackerError.
   */
  signal?: AbortSignal;
}

/** The ViT prior: ONNX model(s) of the prior contract (docs/architecture.md, "The prior contract"). */
export interface PriorOptions {
  /** One model with outputs `uv` and `normals`, or one model per output (as Pixel3DMM ships them). */
  onnx: string | URL | { uv: string | URL; normals: string | URL };
  /** 'auto' (default): WebGPU on a hardware GPU, else WASM; 'webgpu' fails with `webgpu-unavailable` where there is none. */
  backend?: PriorBackendChoice;
  /** Mirror test-time augmentation: a second, mirrored pass averaged in (off by default: half the rate). */
  tta?: boolean;
  /**
   * Half precision on a WebGPU adapter with `shader-f16`: the model is converted to fp16 when
   * loaded (fp32 inputs and outputs kept). `info.prior.fp16` says whether it is in use and
   * `info.fallbacks` why not.
   */
  fp16?: boolean;
  /** Maps older than this (ms) are not used by the fit; on WASM, a network that takes longer per run is stopped. Default 250. */
  maxAgeMs?: number;
}

/** The prior's settings with the defaults applied: what the tracking worker runs. */
export function resolvePriorSettings(prior: PriorOptions): Pick<PriorStageOptions, 'backend' | 'tta' | 'fp16' | 'maxAgeMs'> {
  return { backend: prior.backend ?? 'auto', tta: prior.tta ?? false, fp16: prior.fp16 ?? false, maxAgeMs: prior.maxAgeMs ?? 250 };
}

/** How the ViT prior runs. `backend` is 'off' once it stopped (e.g. the GPU device was lost): landmarks only since. */
export interface PriorInfo extends Omit<PriorRuntimeInfo, 'backend' | 'notes'> {
  backend: PriorRuntimeInfo['backend'] | 'off';
}

/** Which backends run and which fallbacks were taken. */
export interface FaceTrackerInfo {
  model: FaceModelInfo;
  landmarks: { runtime: 'worker' | 'main-thread'; delegate: 'CPU' | 'GPU' };
  /** How frames cross to the worker. */
  frameTransport: 'VideoFrame' | 'ImageBitmap';
  prior: 'landmarks' | PriorInfo;
  /** Human-readable notes on every fallback in use. */
  fallbacks: string[];
  /** Times the worker crashed and was restarted. */
  workerRestarts: number;
}

/** The `face-lost` event's detail: when the face was last missed. */
export interface FaceLostDetail {
  /** Frame clock, ms (see `FaceFrame.timeMs`). */
  timeMs: number;
  /** Position in the source, s. */
  videoTime: number;
}

/** The `neutral-recorded` event's detail: the user's resting face, recorded (`fitter.neutral`). */
export interface NeutralRecordedDetail {
  /** 52 ARKit weights (`ARKIT_BLENDSHAPES` order): store them and pass them as `fitter: { neutral: { weights } }` next time. */
  weights: number[];
  /** The frame that finished the recording: frame clock, ms (see `FaceFrame.timeMs`). */
  timeMs: number;
  /** Its position in the source, s. */
  videoTime: number;
}

/** The `source-ended` event's detail: why the tracker stopped by itself. */
export interface SourceEndedDetail {
  /** `video-ended`: a video file played to its end (not looping); `camera-ended`: the camera or stream went away (an `error` event says so too). */
  reason: 'video-ended' | 'camera-ended';
}

export interface FaceTrackerEventMap {
  frame: CustomEvent<FaceFrame>;
  'face-found': CustomEvent<FaceFrame>;
  'face-lost': CustomEvent<FaceLostDetail>;
  'neutral-recorded': CustomEvent<NeutralRecordedDetail>;
  'source-ended': CustomEvent<SourceEndedDetail>;
  stats: CustomEvent<TrackerStatsSnapshot>;
  error: CustomEvent<TrackerError>;
  progress: CustomEvent<LoadProgress>;
}

/**
 * Options that are sent to the worker must survive structured cloning: a function in them would
 * fail there with a `DataCloneError`, so refuse it here, saying where it is.
 */
export function assertPlainData(value: unknown, path: string): void {
  if (typeof value === 'function') {
    throw new TrackerError('invalid-input', `${path} is a function; tracker options are sent to the worker and must be plain data (numbers, strings, booleans, arrays, objects).`);
  }
  if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) assertPlainData(entry, `${path}.${key}`);
  }
}
