/**
 * The page's side of the tracking worker: starts it with the model bytes, hands it frames, and
 * restarts it once if it crashes (a second crash is fatal).
 */
import * as Comlink from 'comlink';
import { TrackerError } from '../../core/errors.js';
import type { FaceFrame } from '../../core/FaceFrame.js';
import type { PriorModelBytes } from '../../workers/priorProtocol.js';
import type { DetectedFace, FrameMeta, PriorStoppedEvent, TrackingWorkerApi, WorkerInit, WorkerReady } from '../../workers/protocol.js';
import { startModuleWorker } from '../../workers/moduleWorker.js';
import { fromWorkerError } from '../../workers/wireError.js';

export interface ConnectionEvents {
  /** The worker crashed and was restarted (`restarted`), or crashed for good (the connection is closed). */
  onCrash(error: TrackerError, restarted: boolean): void;
  /** The ViT prior stopped; tracking goes on with landmarks only. */
  onPriorStopped(event: PriorStoppedEvent): void;
}

export class TrackingWorkerConnection {
  /** Times the worker crashed and was restarted. */
  restarts = 0;
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
  ) {}

  /** Starts the worker and waits until it is ready; rejects (and terminates it) when it cannot start. */
  async start(): Promise<WorkerReady> {
    const worker = startModuleWorker(this.workerUrl, 'pixel3dmm-tracking');
    this.worker = worker;
    // A worker that fails before it is ready (script missing, crash in init) fails this start-up;
    // one that fails later is restarted (onCrash).
    let failStartup: (error: TrackerError) => void = () => undefined;
    const startupFailed = new Promise<never>((_, reject) => (failStartup = reject));
    let started = false;
    worker.addEventListener('error', (e) => {
      const message = e.message || 'uncaught error in the tracking worker';
      if (started) this.onCrash(message);
      else failStartup(new TrackerError('worker-crashed', `The tracking worker failed to start (${message}). Check that ${this.workerUrl} is served.`));
    });
    const remote = Comlink.wrap<TrackingWorkerApi>(worker);
    this.remote = remote;
    const { init, transfer } = copyForTransfer(this.init);
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
    if (result.prior) void remote.onPriorEvent(Comlink.proxy((event: PriorStoppedEvent) => this.events.onPriorStopped(event)));
    return result;
  }

  /** Tracks one frame (transferred to the worker, which closes it); null when no face is found. */
  async track(frame: VideoFrame | ImageBitmap, meta: FrameMeta, landmarks?: { face: DetectedFace | null }): Promise<FaceFrame | null> {
    await this.ready;
    if (!this.remote) throw new TrackerError('disposed', 'The tracking worker was stopped.');
    try {
      return await this.remote.track(Comlink.transfer(frame, [frame as unknown as Transferable]), meta, landmarks);
    } catch (error) {
      throw toTrackerError(error);
    }
  }

  async reset(): Promise<void> {
    await this.remote?.reset();
  }

  /** Ends the worker (and the prior worker it started); everything they hold goes with them. */
  close(): void {
    this.closed = true;
    this.remote?.[Comlink.releaseProxy]();
    this.remote = undefined;
    this.worker?.terminate();
    this.worker = undefined;
  }

  private onCrash(message: string): void {
    if (this.closed) return;
    this.worker?.terminate();
    if (this.restarts >= 1) {
      this.close();
      this.events.onCrash(new TrackerError('worker-crashed', `The tracking worker crashed again (${message}); the tracker has stopped. Create a new tracker.`), false);
      return;
    }
    this.restarts++;
    this.events.onCrash(new TrackerError('worker-crashed', `The tracking worker crashed (${message}); it was restarted.`, { restarted: true }), true);
    void this.start().catch((error) => {
      this.close();
      this.events.onCrash(toTrackerError(error), false);
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
