import { assertNeutralOptions, DEFAULT_NEUTRAL_FRAMES } from '../../core/arkitNeutral.js';
import { TrackerError } from '../../core/errors.js';
import type { FaceFrame } from '../../core/FaceFrame.js';
import type { DetectedFace, WorkerInit, WorkerReady } from '../../workers/protocol.js';
import type { LandmarkDetector } from '../../workers/tracking/LandmarkDetector.js';
import type { FileKind } from '../../core/fileSignatures.js';
import { fetchAsset, type LoadProgress } from './fetchAsset.js';
import {
  assertPlainData,
  resolvePriorSettings,
  type FaceLostDetail,
  type FaceTrackerEventMap,
  type FaceTrackerInfo,
  type FaceTrackerOptions,
} from './FaceTrackerOptions.js';
import { FramePump, type PumpedFrame } from './FramePump.js';
import { Interruption } from './Interruption.js';
import { namedFileError } from './namedFileError.js';
import { packageAssetUrls } from './packageAssets.js';
import { PendingCalibrations, type CalibrationFailure } from './PendingCalibrations.js';
import { FrameStreams, type FrameStreamOptions } from './FrameStreams.js';
import { TrackerStats } from './TrackerStats.js';
import { toTrackerError, TrackingWorkerConnection, type ConnectionEvents } from './TrackingWorkerConnection.js';
import { playSource, sourceIdentity, type PlayingSource, type SourceEnd, type TrackerSource } from './videoSource.js';

/**
 * Tracks a face in a video or camera stream, off the main thread, and reports a fitted 3D face
 * per frame through events (`frame`, `face-found`, `face-lost`, `neutral-recorded`,
 * `source-ended`, `stats`, `error`).
 *
 * ```ts
 * const tracker = await FaceTracker.create({ onProgress: (p) => console.log(p.loaded / p.total) });
 * tracker.addEventListener('frame', (e) => avatar.apply(e.detail));
 * await tracker.start(videoElement);
 * ```
 */
export class FaceTracker extends EventTarget {
  info!: FaceTrackerInfo;
  private connection?: TrackingWorkerConnection;
  /** MediaPipe on the page, only in the main-thread fallback. */
  private pageLandmarks?: LandmarkDetector;
  private pump?: FramePump;
  private source?: PlayingSource;
  /** The last started source's `sourceIdentity`: starting another one starts the person and camera estimate afresh. */
  private sourceIdentity?: string;
  private faceVisible = false;
  private disposed = false;
  private crashed?: TrackerError;
  private readonly stats = new TrackerStats();
  private statsTimer?: ReturnType<typeof setInterval>;
  private readonly streams = new FrameStreams();
  /** calibrateNeutral() calls waiting for the resting face; only with the `fitter.neutral` option. */
  private calibrations?: PendingCalibrations;
  /** Set while start() waits for its source; stop() bumps `generation` so that start gives it up. */
  private starting = false;
  private generation = 0;
  /** Rejects with `disposed` on dispose(): a call waiting on the (terminated) worker ends instead of hanging. */
  /** Ends the calls in flight at dispose(). */
  private readonly disposal = new Interruption();
  /** The app's listeners, each wrapped so that one that throws is reported once and the tracker goes on. */
  private readonly wrappedListeners = new Map<string, Map<EventListenerOrEventListenerObject, EventListener>>();
  private readonly reportedListeners = new WeakSet<object>();

  private constructor() {
    super();
  }

  /** Downloads (or reads from cache) the models, starts the worker and waits until it is ready. */
  static async create(options: FaceTrackerOptions = {}): Promise<FaceTracker> {
    assertPlainData(options.fitter, 'options.fitter');
    assertPlainData(options.smoothing, 'options.smoothing');
    const maxFaces = options.maxFaces ?? 1;
    if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new TrackerError('invalid-input', `options.maxFaces must be a whole number of faces, 1 or more; got ${options.maxFaces}.`);
    // Checked before anything is downloaded: the worker would refuse them only after start-up.
    const neutral = options.fitter?.neutral;
    if (neutral) assertNeutralOptions(neutral);
    const tracker = new FaceTracker();
    if (neutral) tracker.calibrations = new PendingCalibrations(neutral.frames ?? DEFAULT_NEUTRAL_FRAMES);
    const onProgress = (p: LoadProgress) => {
      options.onProgress?.(p);
      tracker.dispatchEvent(new CustomEvent('progress', { detail: p }));
    };
    // One download failing (or options.signal aborting) cancels the others: none is left running.
    const downloads = new AbortController();
    const cancelDownloads = () => downloads.abort();
    options.signal?.addEventListener('abort', cancelDownloads);
    const fetch = (url: string | URL, kind: FileKind) =>
      fetchAsset(String(url), {
        kind,
        onProgress,
        cache: options.cache !== false,
        stallTimeoutMs: options.downloadStallTimeoutMs,
        retries: options.downloadRetries,
        signal: downloads.signal,
      }).catch((error: unknown) => {
        // Promise.all reports the first failure; the siblings' cancellations follow it, handled.
        downloads.abort();
        throw error;
      });
    const assets = packageAssetUrls(options.assetBaseUrl);
    const prior = typeof options.prior === 'object' ? options.prior : undefined;
    const onnx = prior && (typeof prior.onnx === 'object' && 'uv' in prior.onnx ? [prior.onnx.uv, prior.onnx.normals] : [prior.onnx as string | URL]);
    // ONNX Runtime's binary only with a prior: a landmark tracker never downloads it.
    const [faceModel, landmarker, mediapipeWasm, ortWasm, ...priorModels] = await Promise.all([
      fetch(options.model ?? assets.faceModel, 'glb'),
      fetch(options.landmarker ?? assets.landmarker, 'task'),
      fetch(assets.mediapipeWasm, 'wasm'),
      prior ? fetch(assets.ortWasm, 'wasm') : undefined,
      ...(onnx ?? []).map((url) => fetch(url, 'onnx')),
    ]).finally(() => options.signal?.removeEventListener('abort', cancelDownloads));
    const delegate = options.delegate ?? 'CPU';
    const placement = options.landmarks ?? 'auto';
    const init: WorkerInit = {
      faceModel,
      landmarker,
      mediapipe: { loaderUrl: assets.mediapipeLoader, wasm: mediapipeWasm },
      delegate,
      maxFaces,
      landmarksInWorker: placement !== 'main-thread',
      pipeline: { fitter: options.fitter, smoothing: options.smoothing, outputVertices: options.outputs?.vertices ?? false },
    };
    if (prior && ortWasm) {
      const models = priorModels.length === 2 ? { uv: priorModels[0]!, normals: priorModels[1]! } : { combined: priorModels[0]! };
      init.prior = { models, workerUrl: assets.priorWorker, ort: { loaderUrl: assets.ortLoader, wasm: ortWasm }, ...resolvePriorSettings(prior) };
    }
    const workerUrl = String(options.workerUrl ?? assets.trackingWorker);
    const frameTransport = typeof VideoFrame !== 'undefined' ? 'VideoFrame' : 'ImageBitmap';
    const fallbacks = frameTransport === 'ImageBitmap' ? ['VideoFrame is missing: frames cross to the worker as ImageBitmaps (one extra copy).'] : [];
    let ready: WorkerReady;
    try {
      ready = await tracker.startWorkers(workerUrl, init, placement, fallbacks);
    } catch (error) {
      // Nothing that did start (a worker, MediaPipe on the page) is left running.
      tracker.dispose();
      throw namedFileError(toTrackerError(error), { model: String(options.model ?? assets.faceModel), landmarker: String(options.landmarker ?? assets.landmarker), prior: (onnx ?? []).map(String) });
    }
    if (options.signal?.aborted) {
      tracker.dispose();
      throw new TrackerError('disposed', 'FaceTracker.create() was cancelled (its AbortSignal was aborted) while the tracker started.');
    }
    tracker.info = {
      model: ready.model,
      landmarks: { runtime: init.landmarksInWorker ? 'worker' : 'main-thread', delegate },
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
   * user's camera. Rejects with `camera-denied` / `camera-missing` when the camera can't be used,
   * with `invalid-input` for a stream without a live video track, with `invalid-state` when the
   * tracker is already started (or starting: `stop()` first, then `start()` the other source),
   * with `disposed` after `dispose()` (also when disposed while the camera opens). A `stop()` while
   * the camera opens makes `start()` resolve without tracking. Another source than the last
   * (another camera, another video file: `sourceIdentity`) starts the person and camera estimate
   * afresh, as `reset()` does; the same one started again keeps it. When the source ends by itself, the
   * tracker tracks the frames in hand, stops, ends the open `frames()` iterators and emits
   * `source-ended`: a video file that played to its end (not looping: play it again, then
   * `start()` again), or a camera or stream that ended while tracking (unplugged: also a
   * `camera-ended` error; `start()` again once it is back).
   */
  async start(source: TrackerSource = { camera: true }): Promise<void> {
    this.assertAlive();
    if (this.pump || this.starting) {
      throw new TrackerError('invalid-state', 'The tracker is already started; call stop() before start() (e.g. to switch to another camera or video).');
    }
    this.starting = true;
    const generation = this.generation;
    let playing: PlayingSource;
    try {
      playing = await playSource(source, (end) => void this.onSourceEnded(generation, end));
    } catch (error) {
      if (generation === this.generation) this.starting = false;
      if (error instanceof TrackerError) this.emit('error', error);
      throw error;
    }
    if (generation !== this.generation || this.disposed) {
      // stop() or dispose() came while the source opened: release it, never start the pump.
      playing.release();
      this.assertAlive();
      return;
    }
    this.starting = false;
    this.source = playing;
    // Another camera (or video) is another focal length, and maybe another person: estimated
    // afresh, as after reset(). The worker takes the reset before this source's first frame.
    const identity = sourceIdentity(playing.video);
    if (this.sourceIdentity !== undefined && identity !== this.sourceIdentity) {
      this.faceVisible = false;
      void this.connection!.reset().catch(() => undefined);
    }
    this.sourceIdentity = identity;
    this.pump = new FramePump(this.source.video, (f) => this.trackPumped(f), this.info.frameTransport === 'VideoFrame');
    this.pump.start();
    this.stats.reset();
    this.statsTimer = setInterval(() => this.emit('stats', this.stats.snapshot(this.pump?.dropped ?? 0, this.streams.dropped)), 1000);
  }

  /**
   * Stops tracking; the tracker can `start()` again. Releases a camera it opened itself. A
   * `calibrateNeutral()` still recording rejects with `calibration-failed`. A no-op when the
   * tracker is not started (before `start()`, twice, after `dispose()`).
   */
  stop(): void {
    const live = !!this.pump || this.starting;
    this.generation++;
    this.starting = false;
    this.pump?.stop();
    this.pump = undefined;
    clearInterval(this.statsTimer);
    this.source?.release();
    this.source = undefined;
    if (live) this.giveUpCalibration('stopped');
  }

  /**
   * Offline mode: tracks exactly this frame and resolves with its result (null: no face). No
   * frame is dropped; use it to process a file frame by frame. Takes ownership of `frame`.
   * Rejects with `invalid-state` while live tracking runs (`stop()` first: the two would mix two
   * clocks in one fit), with `disposed` after `dispose()`, also for a call still in flight then.
   */
  async track(frame: VideoFrame | ImageBitmap, videoTime: number): Promise<FaceFrame | null> {
    this.assertAlive();
    if (this.pump || this.starting) {
      frame.close();
      throw new TrackerError('invalid-state', 'track() is offline mode and cannot run while live tracking runs; call stop() first.');
    }
    assertUsableFrame(frame);
    if (!Number.isFinite(videoTime)) throw new TrackerError('invalid-input', `videoTime must be a number of seconds, got ${videoTime}.`);
    return this.trackFrame({ frame, timeMs: videoTime * 1000, videoTime, grabMs: 0 });
  }

  /**
   * The user's resting ARKit weights in use (52, `ARKIT_BLENDSHAPES` order; `fitter.neutral`): the
   * ones given, or the last recorded. Undefined without the option, and while they are recorded
   * (then the weights pass unchanged). Store them and pass them as
   * `fitter: { neutral: { weights } }` next time, so the user need not rest again.
   */
  get neutralWeights(): number[] | undefined {
    const weights = this.connection?.neutralWeights;
    return weights && [...weights];
  }

  /**
   * Records the user's resting face afresh ("relax and look at the camera") over the next
   * `fitter.neutral.frames` frames with a face (default 30), live or through `track()`, and
   * resolves with its 52 ARKit weights (also a `neutral-recorded` event); from then on the ARKit
   * weights read 0 on it. Rejects with `invalid-state` without the `fitter.neutral` option, with
   * `disposed` after (or at) `dispose()`, and with `calibration-failed` when the recording is given
   * up: the tracker stopped (`details.reason: 'stopped'`), as many frames as the recording takes
   * came without a face (`'no-face'`), or the worker crashed (`'worker-crashed'`); the resting face
   * in use before then stays in use. A second call while one records starts the recording again;
   * both resolve with it.
   */
  async calibrateNeutral(): Promise<number[]> {
    this.assertAlive();
    const calibrations = this.calibrations;
    if (!calibrations) {
      throw new TrackerError(
        'invalid-state',
        'calibrateNeutral() needs the fitter option `neutral`: create the tracker with `fitter: { neutral: {} }` (or `{ frames: 30 }`), or with `{ neutral: { weights } }` recorded before.',
      );
    }
    const connection = this.connection!;
    // Waiting from now on, so that a stop() or dispose() before the worker answers ends it too.
    const waiter = calibrations.wait(calibrations.waiting ? calibrations.previous : connection.neutralWeights);
    try {
      await this.disposal.race(connection.calibrateNeutral());
    } catch (error) {
      // Only dispose() or a crash end the call, and they have rejected the waiting calls with their own error.
      calibrations.reject(toTrackerError(error));
      return waiter.done;
    }
    // Its replies come in order: a recording reported from here on is the one this call started.
    waiter.arm();
    return waiter.done;
  }

  /** Starts a new person: identity estimation and temporal state start over. */
  async reset(): Promise<void> {
    this.assertAlive();
    await this.connection!.reset();
    this.faceVisible = false;
  }

  /**
   * The `frame` events as an async iterator. It holds at most `maxQueued` unread frames (default
   * 3): a consumer slower than the tracker gets the newest frames, the older ones are dropped and
   * counted in the `stats` event's `framesDroppedByConsumers`. It ends (`done`) after `dispose()`
   * once the frames it holds are read; called after `dispose()`, it returns an ended iterator.
   */
  frames(options?: FrameStreamOptions): AsyncIterableIterator<FaceFrame> {
    return this.streams.open(options);
  }

  /** Stops everything and terminates the worker. The tracker cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.calibrations?.reject(this.disposedError());
    this.stop();
    this.disposed = true;
    this.disposal.interrupt(this.crashed ?? new TrackerError('disposed', 'The tracker was disposed while this call was in flight.'));
    this.connection?.close();
    this.connection = undefined;
    this.pageLandmarks?.close();
    this.pageLandmarks = undefined;
    this.streams.close();
  }

  override addEventListener<K extends keyof FaceTrackerEventMap>(
    type: K,
    listener: (event: FaceTrackerEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    if (!listener) return;
    const key = listenerKey(type, options);
    let byListener = this.wrappedListeners.get(key);
    if (!byListener) this.wrappedListeners.set(key, (byListener = new Map()));
    let wrapped = byListener.get(listener);
    if (!wrapped) {
      wrapped = (event: Event) => {
        try {
          if (typeof listener === 'function') listener.call(this, event);
          else listener.handleEvent(event);
        } catch (error) {
          this.onListenerThrew(type, listener, error);
        }
      };
      byListener.set(listener, wrapped);
    }
    super.addEventListener(type, wrapped, options);
  }

  override removeEventListener<K extends keyof FaceTrackerEventMap>(
    type: K,
    listener: (event: FaceTrackerEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    if (!listener) return;
    const byListener = this.wrappedListeners.get(listenerKey(type, options));
    const wrapped = byListener?.get(listener);
    byListener?.delete(listener);
    super.removeEventListener(type, wrapped ?? listener, options);
  }

  /**
   * An app's listener threw: the tracker goes on, and reports it once per listener (a
   * `listener-error` event; the first error of an `error` listener goes to the page's error
   * handler instead, as an uncaught error would), never once per frame.
   */
  private onListenerThrew(type: string, listener: object, error: unknown): void {
    if (this.reportedListeners.has(listener)) return;
    this.reportedListeners.add(listener);
    if (type === 'error') {
      if (typeof reportError === 'function') reportError(error);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.emit(
      'error',
      new TrackerError(
        'listener-error',
        `A '${type}' event listener threw (${message}); the tracker keeps going. Later errors of this listener are not reported again: fix the listener.`,
        { event: type },
        { cause: error },
      ),
    );
  }

  /** The tracking worker, and MediaPipe on the page where it runs there (by choice, or because it cannot run in a worker). */
  private async startWorkers(workerUrl: string, init: WorkerInit, placement: NonNullable<FaceTrackerOptions['landmarks']>, fallbacks: string[]): Promise<WorkerReady> {
    let ready: WorkerReady;
    try {
      ready = await this.connect(workerUrl, init);
    } catch (error) {
      // MediaPipe could not start in the worker: if it starts on the main thread, this browser
      // cannot run it in a worker, and the page detects landmarks itself.
      const e = toTrackerError(error);
      if (placement !== 'auto' || e.details.stage !== 'landmarker') throw e;
      init.landmarksInWorker = false;
      this.pageLandmarks = await startPageLandmarks(init);
      ready = await this.connect(workerUrl, init);
      fallbacks.push(`MediaPipe could not run in the worker (${e.message}); it runs on the main thread, costing the page its time per frame.`);
    }
    if (placement === 'main-thread') this.pageLandmarks = await startPageLandmarks(init);
    return ready;
  }

  private async connect(workerUrl: string, init: WorkerInit): Promise<WorkerReady> {
    const events: ConnectionEvents = {
      onCrash: (error, restarted) => this.onWorkerCrash(error, restarted),
      onPriorStopped: (event) => {
        if (this.disposed) return;
        if (typeof this.info?.prior === 'object') this.info.prior.backend = 'off';
        this.info?.fallbacks.push(event.message);
        this.emit('error', new TrackerError(event.code, event.message, { fallback: 'landmarks' }));
      },
    };
    const connection = new TrackingWorkerConnection(workerUrl, init, events);
    this.connection = connection;
    return connection.start();
  }

  /**
   * A crash is reported once: a restarted worker (after a short back-off) as a `worker-crashed`
   * error with `details.restarted`; a second crash as one `worker-crashed` with `details.final`,
   * after which the tracker is disposed (no worker left, frames stop, calls reject with `disposed`).
   */
  private onWorkerCrash(error: TrackerError, restarted: boolean): void {
    if (this.disposed) return;
    if (restarted) {
      this.info.workerRestarts = this.connection!.restarts;
      this.emit('error', error);
      // The restarted worker goes on with the resting face in use before the recording.
      this.giveUpCalibration('worker-crashed', error);
      return;
    }
    this.crashed = error;
    this.emit('error', error);
    this.dispose();
  }

  /**
   * The source ended for good (a video file at its end, a camera unplugged): track the frames in
   * hand, stop (so that `start()` may run again), end the open iterators (a `for await` loop
   * finishes instead of waiting for frames that never come), and say so.
   */
  private async onSourceEnded(generation: number, end: SourceEnd): Promise<void> {
    if (generation !== this.generation || this.disposed) return;
    await this.pump?.finish();
    // stop() or dispose() while the last frames were tracked: the app ended it first.
    if (generation !== this.generation || this.disposed) return;
    this.stop();
    this.streams.endOpen();
    if (end.reason === 'camera-ended') this.emit('error', end.error);
    this.emit('source-ended', { reason: end.reason });
  }

  /** Waiting calibrateNeutral() calls fail; the resting face in use before them is back (a restarted worker has it already). */
  private giveUpCalibration(reason: CalibrationFailure, cause?: TrackerError): void {
    const calibrations = this.calibrations;
    if (!calibrations?.waiting) return;
    if (calibrations.previous && reason !== 'worker-crashed') void this.connection?.restoreNeutral(calibrations.previous).catch(() => undefined);
    calibrations.reject(calibrations.failure(reason, cause));
  }

  private async trackPumped(f: PumpedFrame): Promise<void> {
    try {
      await this.trackFrame(f);
    } catch (error) {
      const e = toTrackerError(error);
      // A frame lost to a worker crash: the crash itself is reported (once), not each frame.
      if (e.details.frameLostToCrash) return;
      this.emit('error', e);
    }
  }

  private async trackFrame(f: PumpedFrame): Promise<FaceFrame | null> {
    if (!this.connection) {
      f.frame.close();
      throw this.disposedError();
    }
    let mainThreadMs = 0;
    let landmarks: { face: DetectedFace | null } | undefined;
    if (this.pageLandmarks) {
      const t = performance.now();
      const width = 'displayWidth' in f.frame ? f.frame.displayWidth : f.frame.width;
      const height = 'displayHeight' in f.frame ? f.frame.displayHeight : f.frame.height;
      landmarks = { face: this.pageLandmarks.detect(f.frame, f.timeMs, width, height) };
      mainThreadMs = performance.now() - t;
    }
    // dispose() terminates the worker and its reply never comes: end the call instead of hanging.
    const { face: result, neutralRecorded } = await this.disposal.race(this.connection.track(f.frame, { timeMs: f.timeMs, videoTime: f.videoTime }, landmarks));
    const t0 = performance.now() - mainThreadMs;
    if (neutralRecorded) {
      this.emit('neutral-recorded', { weights: [...neutralRecorded], timeMs: f.timeMs, videoTime: f.videoTime });
      this.calibrations?.recorded(neutralRecorded);
    }
    if (!result) {
      const lost: FaceLostDetail = { timeMs: f.timeMs, videoTime: f.videoTime };
      if (this.faceVisible) this.emit('face-lost', lost);
      this.faceVisible = false;
      this.stats.record(null, f.grabMs + performance.now() - t0);
      if (this.calibrations?.faceMissing()) this.giveUpCalibration('no-face');
      return null;
    }
    // Offline frames have no grab time on this clock: their latency is the worker's time.
    result.timings.latencyMs = this.pump ? t0 - f.timeMs : result.timings.workerMs;
    if (!this.faceVisible) this.emit('face-found', result);
    this.faceVisible = true;
    // Main-thread cost: the grab and this hand-off, not the app's own listeners.
    this.stats.record(result, f.grabMs + performance.now() - t0);
    this.emit('frame', result);
    this.streams.push(result);
    return result;
  }

  /** No event after dispose(): a frame still in flight then is not reported. */
  private emit<K extends keyof FaceTrackerEventMap>(type: K, detail: FaceTrackerEventMap[K]['detail']): void {
    if (this.disposed) return;
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  private assertAlive(): void {
    if (this.disposed) throw this.disposedError();
  }

  /** What a call after dispose() gets: `disposed`, also after a fatal worker crash (then naming it, as `cause`). */
  private disposedError(): TrackerError {
    if (!this.crashed) return new TrackerError('disposed', 'This tracker was disposed; create a new one with FaceTracker.create().');
    return new TrackerError(
      'disposed',
      'This tracker was disposed after its tracking worker crashed twice (see the worker-crashed error event); create a new one with FaceTracker.create().',
      { reason: 'worker-crashed' },
      { cause: this.crashed },
    );
  }
}

/** Listeners are told apart by type and capture flag, as EventTarget does. */
function listenerKey(type: string, options?: boolean | EventListenerOptions): string {
  return `${type}|${typeof options === 'boolean' ? options : !!options?.capture}`;
}

/** MediaPipe on the main thread (loaded only when needed, so the worker path never pays for it). */
async function startPageLandmarks(init: WorkerInit): Promise<LandmarkDetector> {
  const { LandmarkDetector, mediaPipeFailureReason } = await import('../../workers/tracking/LandmarkDetector.js');
  try {
    return await LandmarkDetector.create(init.landmarker, init.mediapipe, init.delegate, init.maxFaces);
  } catch (cause) {
    if (cause instanceof TrackerError) throw cause;
    throw new TrackerError('model-format', `MediaPipe FaceLandmarker could not start: ${mediaPipeFailureReason(cause)}. Check the .task file.`, { stage: 'landmarker' }, { cause });
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
