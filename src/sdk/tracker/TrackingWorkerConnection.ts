/**
 * The page's side of the tracking worker: starts it with the model bytes, hands it frames, and
 * restarts it once if it crashes, after a short back-off (a second crash is fatal: one final
 * `worker-crashed`, the connection closed, no worker left, never a restart loop).
 */
import * as Comlink from 'comlink';
import { TrackerError } from '../../core/errors.js';
import type { PriorModelBytes } from '../../workers/priorProtocol.js';
import type { DetectedFace, FrameMeta, PriorStoppedEvent, TrackingWorkerApi, TrackResult, WorkerInit, WorkerReady } from '../../workers/protocol.js';
import { startModuleWorker } from '../../workers/moduleWorker.js';
import { fromWorkerError } from '../../workers/wireError.js';
import { Interruption } from './Interruption.js';

export interface ConnectionEvents {
  /** The worker crashed and was restarted (`restarted`), or crashed for good (the connection is closed). */
  onCrash(error: TrackerError, restarted: boolean): void;
  /** The ViT prior stopped; tracking goes on with landmarks only. */
  onPriorStopped(event: PriorStoppedEvent): void;
}

/**
 * Wait before restarting a crashed worker. Long enough that a passing cause (memory pressure, the
 * browser reclaiming a process, a GPU process restart) has a moment to clear instead of killing
 * the fresh worker at once; short enough that live tracking resumes within about half a second
 * (~15 frames at 30 fps; the frame pump keeps only the newest frame meanwhile, so no burst).
 */
export const WORKER_RESTART_DELAY_MS = 500;

export class TrackingWorkerConnection {
  /** Times the worker crashed and was restarted. */
  restarts = 0;
  /** The resting ARKit weights the worker uses (`fitter.neutral`), as it last said; undefined while it records them, or without the option. */
  neutralWeights?: number[];
  /**
   * The last resting weights the worker used: what a restarted worker goes on with (a recording
   * in progress at a crash is given up for them), so the user is not asked to rest again.
   */
  private lastNeutral?: number[];
  /** Rejects the calls in flight on the current worker when it crashes (its replies never come). */
  private lost = new Interruption();
  private restartTimer?: ReturnType<typeof setTimeout>;
  private worker?: Worker;
  private remote?: Comlink.Remote<TrackingWorkerApi>;
  /** Settles when the current worker has initialised (a restarted one takes a moment). */
  private ready: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly workerUrl: string,
    /** Kept whole, so a restarted worker can be initialised again: each start sends copies. */
    private readonly init: WorkerInit,
    private readonly events: ConnectionEvents,
    private readonly restartDelayMs = WORKER_RESTART_DELAY_MS,
  ) {
    const given = init.pipeline.fitter?.neutral?.weights;
    this.neutralWeights = this.lastNeutral = given && Array.from(given);
  }

  /** Starts the worker and waits until it is ready; rejects (and terminates it) when it cannot start. */
  async start(): Promise<WorkerReady> {
    const worker = startModuleWorker(this.workerUrl, 'pixel3dmm-tracking');
    this.worker = worker;
    this.lost = new Interruption();
    // A worker that fails before it is ready (script missing, crash in init) fails this start-up;
    // one that fails later is restarted (onCrash).
    let failStartup: (error: TrackerError) => void = () => undefined;
    const startupFailed = new Promise<never>((_, reject) => (failStartup = reject));
    let started = false;
    worker.addEventListener('error', (e) => {
      const message = e.message || 'uncaught error in the tracking worker';
      if (started) {
        if (worker === this.worker) this.onCrash(message);
      } else failStartup(new TrackerError('worker-crashed', `The tracking worker failed to start (${message}). Check that ${this.workerUrl} is served.`));
    });
    const remote = Comlink.wrap<TrackingWorkerApi>(worker);
    this.remote = remote;
    const { init, transfer } = copyForTransfer(this.init);
    if (this.restarts > 0 && this.lastNeutral) init.pipeline = { ...init.pipeline, restoredNeutral: this.lastNeutral };
    const ready = Promise.race([remote.init(Comlink.transfer(init, transfer)), startupFailed]);
    this.ready = ready.catch(() => undefined);
    let result: WorkerReady;
    try {
      result = await ready;
    } catch (error) {
      worker.terminate();
      throw toTrackerError(error);
    }
    started = true;
    this.neutralWeights = this.lastNeutral;
    if (result.prior) void remote.onPriorEvent(Comlink.proxy((event: PriorStoppedEvent) => this.events.onPriorStopped(event)));
    return result;
  }

  /** Tracks one frame (transferred to the worker, which closes it); `face` null when no face is found. */
  async track(frame: VideoFrame | ImageBitmap, meta: FrameMeta, landmarks?: { face: DetectedFace | null }): Promise<TrackResult> {
    const result = await this.call((remote) => remote.track(Comlink.transfer(frame, [frame as unknown as Transferable]), meta, landmarks), () => frame.close());
    if (result.neutralRecorded) this.neutralWeights = this.lastNeutral = result.neutralRecorded;
    return result;
  }

  /** A new person: the worker forgets identity and motion, and records their resting face afresh unless one was given. */
  async reset(): Promise<void> {
    await this.call((remote) => remote.reset());
    if (!this.init.pipeline.fitter?.neutral?.weights) this.neutralWeights = this.lastNeutral = undefined;
  }

  /** The worker records the resting face afresh over its next frames with a face; said at once, as the worker takes it before any later call. */
  async calibrateNeutral(): Promise<void> {
    this.neutralWeights = undefined;
    await this.call((remote) => remote.calibrateNeutral());
  }

  /** The worker uses these resting weights again (a recalibration given up); said at once, as the worker takes it before any later frame. */
  async restoreNeutral(weights: number[]): Promise<void> {
    this.neutralWeights = this.lastNeutral = weights;
    await this.call((remote) => remote.restoreNeutral(weights));
  }

  /** Calls the worker once it is ready; a crash ends the call (its reply would never come) instead of hanging it. */
  private async call<T>(request: (remote: Comlink.Remote<TrackingWorkerApi>) => Promise<T>, onStopped?: () => void): Promise<T> {
    await this.ready;
    const remote = this.remote;
    if (!remote) {
      onStopped?.();
      throw new TrackerError('disposed', 'The tracking worker was stopped.');
    }
    try {
      return await this.lost.race(request(remote));
    } catch (error) {
      throw toTrackerError(error);
    }
  }

  /** Ends the worker (and the prior worker it started); everything they hold goes with them. */
  close(): void {
    this.closed = true;
    clearTimeout(this.restartTimer);
    this.lost.interrupt(new TrackerError('disposed', 'The tracking worker was stopped while this frame was being tracked.'));
    this.remote?.[Comlink.releaseProxy]();
    this.remote = undefined;
    this.worker?.terminate();
    this.worker = undefined;
  }

  private onCrash(message: string): void {
    if (this.closed) return;
    this.worker?.terminate();
    this.remote?.[Comlink.releaseProxy]();
    this.remote = undefined;
    this.worker = undefined;
    this.lost.interrupt(new TrackerError('worker-crashed', `The tracking worker crashed (${message}) while this frame was being tracked; the frame is lost.`, { frameLostToCrash: true }));
    if (this.restarts >= 1) {
      this.close();
      this.events.onCrash(this.finalError(`crashed again (${message})`), false);
      return;
    }
    this.restarts++;
    this.events.onCrash(
      new TrackerError('worker-crashed', `The tracking worker crashed (${message}); it is restarted in ${this.restartDelayMs} ms and tracking goes on.`, {
        restarted: true,
        final: false,
        restartDelayMs: this.restartDelayMs,
      }),
      true,
    );
    // Calls arriving meanwhile wait for the restarted worker (track() awaits `ready`).
    this.ready = new Promise<void>((resolve) => (this.restartTimer = setTimeout(resolve, this.restartDelayMs)))
      .then(() => (this.closed ? undefined : this.start()))
      .catch((error: unknown) => {
        if (this.closed) return;
        this.close();
        this.events.onCrash(this.finalError(`crashed and could not be restarted (${toTrackerError(error).message})`), false);
      });
  }

  /** The one error of a crash the connection does not recover from: it is closed, no worker is left. */
  private finalError(what: string): TrackerError {
    return new TrackerError('worker-crashed', `The tracking worker ${what}; the tracker has stopped and was disposed. Create a new tracker with FaceTracker.create().`, {
      restarted: false,
      final: true,
      restarts: this.restarts,
    });
  }
}

/** Copies of the init's model bytes, with their buffers to transfer: the originals stay for a restart. */
function copyForTransfer(original: WorkerInit): { init: WorkerInit; transfer: ArrayBuffer[] } {
  const init: WorkerInit = { ...original, faceModel: original.faceModel.slice(), landmarker: original.landmarker.slice() };
  const transfer = [init.faceModel.buffer, init.landmarker.buffer] as ArrayBuffer[];
  if (original.prior) {
    const m = original.prior.models;
    const models: PriorModelBytes = 'combined' in m ? { combined: m.combined.slice() } : { uv: m.uv.slice(), normals: m.normals.slice() };
    init.prior = { ...original.prior, models };
    transfer.push(...('combined' in models ? [models.combined.buffer] : [models.uv.buffer, models.normals.buffer]).map((b) => b as ArrayBuffer));
  }
  return { init, transfer };
}

export function toTrackerError(error: unknown): TrackerError {
  return fromWorkerError(error, (message) => new TrackerError('worker-crashed', `The tracking worker failed: ${message}`));
}
