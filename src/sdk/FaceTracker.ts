import * as Comlink from 'comlink';
import { TrackerError } from '../core/errors.js';
import type { FaceFrame } from '../core/FaceFrame.js';
import type { FaceFitterOptions } from '../core/fit/FaceFitter.js';
import type { FaceSmootherOptions } from '../core/fit/FaceSmoother.js';
import type { PriorStageEvent } from '../workers/prior/PriorStage.js';
import type { PriorBackendChoice, PriorRuntimeInfo } from '../workers/prior/priorProtocol.js';
import type { DetectedFace, LandmarkDetector } from '../workers/LandmarkDetector.js';
import type { TrackingWorkerApi, WorkerErrorPayload, WorkerInit, WorkerReady } from '../workers/protocol.js';
import { fetchAsset, type LoadProgress } from './fetchAsset.js';
import { FramePump, type PumpedFrame } from './FramePump.js';
import { openCamera } from './openCamera.js';
import { Recorder } from './Recorder.js';
import { TrackerStats, type TrackerStatsSnapshot } from './TrackerStats.js';

export interface FaceTrackerOptions {
  /** Face model .glb (default: the bundled ICT FaceKit model). */
  model?: string | URL;
  /** MediaPipe FaceLandmarker .task (default: the bundled one). */
  landmarker?: string | URL;
  /** Folder with MediaPipe's WASM files (default: next to the SDK bundle). */
  mediapipeWasm?: string | URL;
  /** The tracking worker script (default: next to the SDK bundle). */
  workerUrl?: string | URL;
  /**
   * Screen-space cues. 'landmarks' (default): MediaPipe's points only. `{ onnx }`: also a
   * Pixel3DMM-style ViT prior (per-pixel UV and normal maps of the face crop) as dense terms.
   */
  prior?: 'landmarks' | PriorOptions;
  /** One Euro smoothing per parameter group; `false` for none (zero lag). */
  smoothing?: FaceSmootherOptions | false;
  fitter?: FaceFitterOptions;
  /** Extra per-frame outputs. `vertices`: the posed mesh in camera space (costs a copy per frame). */
  outputs?: { vertices?: boolean };
  /** MediaPipe delegate; CPU is faster than software WebGL. */
  delegate?: 'CPU' | 'GPU';
  /**
   * Where MediaPipe runs: 'auto' (default) the worker, falling back to the main thread where the
   * browser cannot run it in a worker; 'worker' or 'main-thread' to choose. On the main thread it
   * costs the page MediaPipe's time per frame (tens of ms); `info` says when that happens.
   */
  landmarks?: 'auto' | 'worker' | 'main-thread';
  /** Keep downloaded model files in Cache Storage (default true). */
  cache?: boolean;
  onProgress?: (progress: LoadProgress) => void;
}

/** The ViT prior: ONNX model(s) of the prior contract (DESIGN.md, "Priors"). */
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

/** How the ViT prior runs. `backend` is 'off' once it stopped (e.g. the GPU device was lost): landmarks only since. */
export interface PriorInfo extends Omit<PriorRuntimeInfo, 'backend' | 'notes'> {
  backend: PriorRuntimeInfo['backend'] | 'off';
}

/** Which backends run and which fallbacks were taken. */
export interface FaceTrackerInfo {
  model: WorkerReady['model'];
  landmarks: { runtime: 'worker' | 'main-thread'; delegate: 'CPU' | 'GPU' };
  /** How frames cross to the worker. */
  frameTransport: 'VideoFrame' | 'ImageBitmap';
  prior: 'landmarks' | PriorInfo;
  /** Human-readable notes on every fallback in use. */
  fallbacks: string[];
  /** Times the worker crashed and was restarted. */
  workerRestarts: number;
}

export interface FaceTrackerEventMap {
  frame: CustomEvent<FaceFrame>;
  'face-found': CustomEvent<FaceFrame>;
  'face-lost': CustomEvent<{ time: number; videoTime: number }>;
  stats: CustomEvent<TrackerStatsSnapshot>;
  error: CustomEvent<TrackerError>;
  progress: CustomEvent<LoadProgress>;
}

type Source = HTMLVideoElement | MediaStream | { camera: MediaTrackConstraints | true };

const defaultUrl = (file: string) => new URL(file, import.meta.url).href;

/**
 * Tracks a face in a video or camera stream, off the main thread, and reports a fitted 3D face
 * per frame through events (`frame`, `face-found`, `face-lost`, `stats`, `error`).
 *
 * ```ts
 * const tracker = await FaceTracker.create({ onProgress: (p) => console.log(p.loaded / p.total) });
 * tracker.addEventListener('frame', (e) => avatar.apply(e.detail));
 * await tracker.start(videoElement);
 * ```
 */
export class FaceTracker extends EventTarget {
  info!: FaceTrackerInfo;
  private worker?: Worker;
  private remote?: Comlink.Remote<TrackingWorkerApi>;
  /** MediaPipe on the page, only in the main-thread fallback. */
  private mainThreadLandmarks?: LandmarkDetector;
  /** Settles when the current worker has initialised (a restarted one takes a moment). */
  private workerReady: Promise<unknown> = Promise.resolve();
  private init!: WorkerInit;
  private workerUrl!: string;
  private pump?: FramePump;
  private ownedStream?: MediaStream;
  private ownedVideo?: HTMLVideoElement;
  private faceVisible = false;
  private disposed = false;
  private crashed?: TrackerError;
  private readonly stats = new TrackerStats();
  private statsTimer?: ReturnType<typeof setInterval>;
  private readonly iterators = new Set<(frame: FaceFrame | null) => void>();

  private constructor() {
    super();
  }

  /** Downloads (or reads from cache) the models, starts the worker and waits until it is ready. */
  static async create(options: FaceTrackerOptions = {}): Promise<FaceTracker> {
    const tracker = new FaceTracker();
    const onProgress = (p: LoadProgress) => {
      options.onProgress?.(p);
      tracker.dispatchEvent(new CustomEvent('progress', { detail: p }));
    };
    const fetchOptions = { onProgress, cache: options.cache !== false };
    const prior = typeof options.prior === 'object' ? options.prior : undefined;
    const onnx = prior && (typeof prior.onnx === 'object' && 'uv' in prior.onnx ? [prior.onnx.uv, prior.onnx.normals] : [prior.onnx as string | URL]);
    const [faceModel, landmarker, ...priorModels] = await Promise.all([
      fetchAsset(String(options.model ?? defaultUrl('../models/face-default.glb')), fetchOptions),
      fetchAsset(String(options.landmarker ?? defaultUrl('../models/mediapipe/face_landmarker.task')), fetchOptions),
      ...(onnx ?? []).map((url) => fetchAsset(String(url), fetchOptions)),
    ]);
    const delegate = options.delegate ?? 'CPU';
    const placement = options.landmarks ?? 'auto';
    tracker.init = {
      faceModel,
      landmarker,
      mediapipeWasmBase: String(options.mediapipeWasm ?? defaultUrl('./mediapipe-wasm/')),
      delegate,
      landmarksInWorker: placement !== 'main-thread',
      pipeline: { fitter: options.fitter, smoothing: options.smoothing, outputVertices: options.outputs?.vertices ?? false },
    };
    if (prior) {
      tracker.init.prior = {
        models: priorModels.length === 2 ? { uv: priorModels[0]!, normals: priorModels[1]! } : { combined: priorModels[0]! },
        backend: prior.backend ?? 'auto',
        tta: prior.tta ?? false,
        fp16: prior.fp16 ?? false,
        maxAgeMs: prior.maxAgeMs ?? 250,
      };
    }
    tracker.workerUrl = String(options.workerUrl ?? defaultUrl('./tracking-worker.js'));
    const frameTransport = typeof VideoFrame !== 'undefined' ? 'VideoFrame' : 'ImageBitmap';
    const fallbacks = frameTransport === 'ImageBitmap' ? ['VideoFrame is missing: frames cross to the worker as ImageBitmaps (one extra copy).'] : [];
    let ready: WorkerReady;
    try {
      ready = await tracker.startWorker();
    } catch (error) {
      // MediaPipe could not start in the worker: if it starts on the main thread, this browser
      // cannot run it in a worker, and the page detects landmarks itself.
      const e = toTrackerError(error);
      if (placement !== 'auto' || e.details.stage !== 'landmarker') throw e;
      tracker.init.landmarksInWorker = false;
      await tracker.startMainThreadLandmarks();
      ready = await tracker.startWorker();
      fallbacks.push(`MediaPipe could not run in the worker (${e.message}); it runs on the main thread, costing the page its time per frame.`);
    }
    if (placement === 'main-thread') await tracker.startMainThreadLandmarks();
    tracker.info = {
      model: ready.model,
      landmarks: { runtime: tracker.init.landmarksInWorker ? 'worker' : 'main-thread', delegate },
      frameTransport,
      prior: 'landmarks',
      fallbacks,
      workerRestarts: 0,
    };
    if (ready.prior) {
      const { notes, ...priorInfo } = ready.prior;
      tracker.info.prior = priorInfo;
      tracker.info.fallbacks.push(...notes);
    }
    return tracker;
  }

  /**
   * Starts tracking a playing video element, a MediaStream, or (no argument / `{ camera }`) the
   * user's camera. Rejects with `camera-denied` / `camera-missing` when the camera can't be used.
   */
  async start(source: Source = { camera: true }): Promise<void> {
    this.assertAlive();
    this.stop();
    const video = await this.videoFor(source);
    this.pump = new FramePump(video, (f) => this.trackPumped(f), this.info.frameTransport === 'VideoFrame');
    this.pump.start();
    this.stats.reset();
    this.statsTimer = setInterval(() => this.emit('stats', this.stats.snapshot(this.pump?.dropped ?? 0)), 1000);
  }

  /** Stops tracking; the tracker can `start()` again. Releases a camera it opened itself. */
  stop(): void {
    this.pump?.stop();
    this.pump = undefined;
    clearInterval(this.statsTimer);
    this.ownedStream?.getTracks().forEach((t) => t.stop());
    this.ownedStream = undefined;
    if (this.ownedVideo) this.ownedVideo.srcObject = null;
    this.ownedVideo = undefined;
  }

  /**
   * Offline mode: tracks exactly this frame and resolves with its result (null: no face). No
   * frame is dropped; use it to process a file frame by frame. Takes ownership of `frame`.
   */
  async track(frame: VideoFrame | ImageBitmap, videoTime: number): Promise<FaceFrame | null> {
    this.assertAlive();
    assertUsableFrame(frame);
    if (!Number.isFinite(videoTime)) throw new TrackerError('invalid-input', `videoTime must be a number of seconds, got ${videoTime}.`);
    return this.trackFrame({ frame, timeMs: videoTime * 1000, videoTime, grabMs: 0 });
  }

  /** Starts a new person: identity estimation and temporal state start over. */
  async reset(): Promise<void> {
    this.assertAlive();
    await this.remote!.reset();
    this.faceVisible = false;
  }

  /** Starts recording the `frame` events; `recorder.stop()` returns the `Take` (JSON, Live Link CSV, glTF). */
  record(): Recorder {
    this.assertAlive();
    return new Recorder(this);
  }

  /** The `frame` events as an async iterator; ends when the tracker is disposed. */
  frames(): AsyncIterableIterator<FaceFrame> {
    const queue: FaceFrame[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const push = (frame: FaceFrame | null) => {
      if (frame) queue.push(frame);
      else done = true;
      wake?.();
    };
    this.iterators.add(push);
    const iterators = this.iterators;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<FaceFrame>> {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
        const value = queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<FaceFrame>> {
        iterators.delete(push);
        done = true;
        return { value: undefined, done: true };
      },
    };
  }

  /** Stops everything and terminates the worker. The tracker cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.stop();
    this.disposed = true;
    void this.remote?.dispose().catch(() => undefined);
    this.remote?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
    this.mainThreadLandmarks?.close();
    this.mainThreadLandmarks = undefined;
    for (const push of this.iterators) push(null);
    this.iterators.clear();
  }

  override addEventListener<K extends keyof FaceTrackerEventMap>(
    type: K,
    listener: (event: FaceTrackerEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  /** MediaPipe on the main thread (loaded only when needed, so the worker path never pays for it). */
  private async startMainThreadLandmarks(): Promise<void> {
    const { LandmarkDetector } = await import('../workers/LandmarkDetector.js');
    try {
      this.mainThreadLandmarks = await LandmarkDetector.create(this.init.landmarker, this.init.mediapipeWasmBase, this.init.delegate);
    } catch (cause) {
      throw new TrackerError('model-format', `MediaPipe FaceLandmarker could not start: ${(cause as Error).message ?? cause}. Check the .task file.`);
    }
  }

  private async startWorker(): Promise<WorkerReady> {
    const worker = new Worker(this.workerUrl, { type: 'module', name: 'pixel3dmm-tracking' });
    this.worker = worker;
    // A worker that fails before it is ready (script missing, crash in init) fails this start-up;
    // one that fails later is restarted (onWorkerCrash).
    let failStartup: (error: TrackerError) => void = () => undefined;
    const startupFailed = new Promise<never>((_, reject) => (failStartup = reject));
    let started = false;
    worker.addEventListener('error', (e) => {
      const message = e.message || 'uncaught error in the tracking worker';
      if (started) this.onWorkerCrash(message);
      else failStartup(new TrackerError('worker-crashed', `The tracking worker failed to start (${message}). Check that ${this.workerUrl} is served.`));
    });
    this.remote = Comlink.wrap<TrackingWorkerApi>(worker);
    // Copies: the bytes stay here so a restarted worker can be initialised again.
    const init = { ...this.init, faceModel: this.init.faceModel.slice(), landmarker: this.init.landmarker.slice() };
    const transfer: ArrayBuffer[] = [init.faceModel.buffer, init.landmarker.buffer];
    if (init.prior) {
      const m = init.prior.models;
      init.prior = { ...init.prior, models: 'combined' in m ? { combined: m.combined.slice() } : { uv: m.uv.slice(), normals: m.normals.slice() } };
      const copied = init.prior.models;
      transfer.push(...('combined' in copied ? [copied.combined.buffer] : [copied.uv.buffer, copied.normals.buffer]).map((b) => b as ArrayBuffer));
    }
    const ready = Promise.race([this.remote.init(Comlink.transfer(init, transfer)), startupFailed]);
    this.workerReady = ready.catch(() => undefined);
    let result: WorkerReady;
    try {
      result = await ready;
    } catch (error) {
      worker.terminate();
      throw toTrackerError(error);
    }
    started = true;
    if (result.prior) void this.remote.onPriorEvent(Comlink.proxy((event: PriorStageEvent) => this.onPriorStopped(event)));
    return result;
  }

  /** The ViT prior stopped (GPU device lost, …): tracking goes on with landmarks only, and says so. */
  private onPriorStopped(event: PriorStageEvent): void {
    if (this.disposed) return;
    if (typeof this.info?.prior === 'object') this.info.prior.backend = 'off';
    this.info?.fallbacks.push(event.message);
    this.emit('error', new TrackerError(event.code, event.message, { fallback: 'landmarks' }));
  }

  /** A crashed worker is restarted once; a second crash is fatal. */
  private onWorkerCrash(message: string): void {
    if (this.disposed) return;
    this.worker?.terminate();
    const restarts = this.info?.workerRestarts ?? 0;
    if (restarts >= 1) {
      this.crashed = new TrackerError('worker-crashed', `The tracking worker crashed again (${message}); the tracker has stopped. Create a new tracker.`);
      this.emit('error', this.crashed);
      this.dispose();
      return;
    }
    this.info.workerRestarts = restarts + 1;
    this.emit('error', new TrackerError('worker-crashed', `The tracking worker crashed (${message}); it was restarted.`, { restarted: true }));
    void this.startWorker().catch((e) => {
      this.crashed = toTrackerError(e);
      this.emit('error', this.crashed);
      this.dispose();
    });
  }

  private async videoFor(source: Source): Promise<HTMLVideoElement> {
    if (source instanceof HTMLVideoElement) return source;
    const stream = source instanceof MediaStream ? source : await openCamera(source.camera === true ? undefined : source.camera).catch((e) => {
      this.emit('error', e);
      throw e;
    });
    if (!(source instanceof MediaStream)) this.ownedStream = stream;
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
    this.ownedVideo = video;
    return video;
  }

  private async trackPumped(f: PumpedFrame): Promise<void> {
    try {
      await this.trackFrame(f);
    } catch (error) {
      this.emit('error', toTrackerError(error));
    }
  }

  private async trackFrame(f: PumpedFrame): Promise<FaceFrame | null> {
    if (!this.remote) {
      f.frame.close();
      throw this.crashed ?? new TrackerError('disposed', 'The tracker was disposed.');
    }
    let result: FaceFrame | null;
    let mainThreadMs = 0;
    try {
      await this.workerReady;
      let landmarks: { face: DetectedFace | null } | undefined;
      if (this.mainThreadLandmarks) {
        const t = performance.now();
        const width = 'displayWidth' in f.frame ? f.frame.displayWidth : f.frame.width;
        const height = 'displayHeight' in f.frame ? f.frame.displayHeight : f.frame.height;
        landmarks = { face: this.mainThreadLandmarks.detect(f.frame, f.timeMs, width, height) };
        mainThreadMs = performance.now() - t;
      }
      result = await this.remote!.track(Comlink.transfer(f.frame, [f.frame as unknown as Transferable]), { timeMs: f.timeMs, videoTime: f.videoTime }, landmarks);
    } catch (error) {
      throw toTrackerError(error);
    }
    const t0 = performance.now() - mainThreadMs;
    if (!result) {
      if (this.faceVisible) this.emit('face-lost', { time: f.timeMs, videoTime: f.videoTime });
      this.faceVisible = false;
      this.stats.record(null, f.grabMs + performance.now() - t0);
      return null;
    }
    // Offline frames have no grab time on this clock: their latency is the worker's time.
    result.timings.latencyMs = this.pump ? t0 - f.timeMs : result.timings.workerMs;
    if (!this.faceVisible) this.emit('face-found', result);
    this.faceVisible = true;
    // Main-thread cost: the grab and this hand-off, not the app's own listeners.
    this.stats.record(result, f.grabMs + performance.now() - t0);
    this.emit('frame', result);
    for (const push of this.iterators) push(result);
    return result;
  }

  private emit<K extends keyof FaceTrackerEventMap>(type: K, detail: FaceTrackerEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  private assertAlive(): void {
    if (this.disposed) throw this.crashed ?? new TrackerError('disposed', 'This tracker was disposed; create a new one with FaceTracker.create().');
  }
}

/** A closed VideoFrame or ImageBitmap has no size: refuse it here, with a clear error, before it reaches the worker. */
function assertUsableFrame(frame: VideoFrame | ImageBitmap): void {
  const isVideoFrame = typeof VideoFrame !== 'undefined' && frame instanceof VideoFrame;
  const isBitmap = typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap;
  if (!isVideoFrame && !isBitmap) throw new TrackerError('invalid-input', 'track() takes a VideoFrame or an ImageBitmap.');
  const width = isVideoFrame ? (frame as VideoFrame).displayWidth : (frame as ImageBitmap).width;
  if (!width) throw new TrackerError('invalid-input', 'The frame passed to track() is closed or empty; pass a fresh VideoFrame or ImageBitmap.');
}

function toTrackerError(error: unknown): TrackerError {
  if (error instanceof TrackerError) return error;
  const payload = (error as WorkerErrorPayload)?.trackerError;
  if (payload) return TrackerError.fromJSON(payload);
  return new TrackerError('worker-crashed', `The tracking worker failed: ${(error as Error)?.message ?? String(error)}`);
}
