/**
 * The ViT prior as a stage of the tracking pipeline. It runs asynchronously in its own worker,
 * latest frame wins: a frame is handed over only when the previous run has finished, and the
 * per-frame fit never waits. Each run's correspondences are used once, by the first frame fitted
 * after they arrive, moved by the head motion the landmarks show since the maps' frame; the
 * landmark-only fit carries the frames between (dense terms cost the fit several times more).
 */
import * as Comlink from 'comlink';
import { TrackerError, type TrackerErrorCode } from '../../../core/errors.js';
import type { DenseCorrespondences } from '../../../core/fit/types.js';
import type { FaceCrop } from '../../../core/image/FaceCropTracker.js';
import { landmarkBounds } from '../../../core/image/landmarkBounds.js';
import { MEDIAPIPE_FACE_OVAL } from '../../../core/image/mediapipeContour.js';
import type { FaceModel } from '../../../core/model/FaceModel.js';
import type { PriorRuntimeInfo, PriorWorkerApi } from '../../priorProtocol.js';
import type { PriorStageOptions, PriorStoppedEvent } from '../../protocol.js';
import { startModuleWorker } from '../../moduleWorker.js';
import { fromWorkerError, type WorkerErrorPayload } from '../../wireError.js';
import { selectCandidateVertices, uvMirrorCentre } from './candidateVertices.js';
import { denseFromRecords } from './denseFromRecords.js';
import { applyLandmarkMotion, fitLandmarkMotion } from './landmarkMotion.js';

/** A run's output, kept until a frame uses it (or a newer one arrives). */
interface PriorMapsResult {
  timeMs: number;
  dense: DenseCorrespondences;
  /** The landmarks of the maps' frame, to measure head motion since. */
  landmarks: Float32Array;
}

/** Candidate vertices per run: enough to constrain the face, few enough to keep dense fits fast. */
export const CANDIDATE_VERTICES = 800;
/** Consecutive failed runs after which the stage stops. */
const MAX_FAILURES = 3;
/** Consecutive WASM runs slower than `maxAgeMs` after which the stage stops: its maps would never be used (a few, so a load spike does not). */
const MAX_STALE_RUNS = 5;
/** Motion the landmark affine cannot explain beyond this fraction of the face size: too much changed. */
const MAX_MOTION_RESIDUAL = 0.03;

export class PriorStage {
  readonly info: PriorRuntimeInfo;
  private readonly vertices: Uint32Array;
  private readonly maxAgeMs: number;
  private readonly maxUvDistance: number;
  private pending?: PriorMapsResult;
  private busy = false;
  private stopped = false;
  private failures = 0;
  private slowRuns = 0;
  private listener?: (event: PriorStoppedEvent) => void;
  private pendingEvent?: PriorStoppedEvent;

  private constructor(
    private readonly worker: Worker,
    private readonly remote: Comlink.Remote<PriorWorkerApi>,
    info: PriorRuntimeInfo,
    vertices: Uint32Array,
    maxAgeMs: number,
  ) {
    this.info = info;
    this.vertices = vertices;
    this.maxAgeMs = maxAgeMs;
    // 1.5 lookup cells (the grid has inputSize / 2 cells per side over [-1, 1]).
    this.maxUvDistance = (1.5 * 2) / (info.inputSize / 2);
    void remote.onDeviceLost(Comlink.proxy((message: string) => this.stop('gpu-device-lost', `The GPU device running the ViT prior was lost (${message}); tracking continues on landmarks only.`)));
  }

  /** Starts the prior worker and loads the network(s); rejects with `prior-format` / `webgpu-unavailable` errors. */
  static async create(options: PriorStageOptions, model: FaceModel): Promise<PriorStage> {
    const candidates = selectCandidateVertices(model, CANDIDATE_VERTICES);
    const worker = startModuleWorker(options.workerUrl, 'pixel3dmm-prior');
    const remote = Comlink.wrap<PriorWorkerApi>(worker);
    const models = options.models;
    const transfer = ('combined' in models ? [models.combined.buffer] : [models.uv.buffer, models.normals.buffer]).concat(options.ort.wasm.buffer);
    // A script that cannot load (not served, a syntax error) fails start-up instead of leaving it waiting.
    const failed = new Promise<never>((_, reject) =>
      worker.addEventListener('error', (e) => reject(new TrackerError('model-fetch', `The prior worker failed to start (${e.message || 'its script did not load'}). Check that ${options.workerUrl} is served.`, { url: options.workerUrl }))),
    );
    try {
      const ready = remote.init(
        Comlink.transfer(
          {
            models,
            uvLayout: model.uvLayout,
            backend: options.backend,
            fp16: options.fp16,
            tta: options.tta,
            vertexUvs: candidates.uvs,
            uvMirrorCentre: uvMirrorCentre(model),
            ort: options.ort,
          },
          transfer as ArrayBuffer[],
        ),
      );
      const info = await Promise.race([ready, failed]);
      return new PriorStage(worker, remote, info, candidates.vertices, options.maxAgeMs);
    } catch (error) {
      worker.terminate();
      throw fromWorkerError(error, (message) => new TrackerError('prior-format', `The prior worker failed to start: ${message}`));
    }
  }

  /** Called once when the stage stops; see `PriorStoppedEvent`. */
  onEvent(listener: (event: PriorStoppedEvent) => void): void {
    this.listener = listener;
    if (this.pendingEvent) listener(this.pendingEvent);
  }

  /**
   * Sees every tracked frame (its landmarks and the tracker's smoothed face crop) and, when the
   * worker is idle, hands it this frame. Never waits. Does not close `frame`.
   */
  observe(frame: VideoFrame | ImageBitmap, timeMs: number, landmarks: Float32Array, crop: FaceCrop, width: number, height: number): void {
    if (this.busy || this.stopped) return;
    this.busy = true;
    const copy = frame instanceof VideoFrame ? frame.clone() : new VideoFrame(frame, { timestamp: Math.round(timeMs * 1000) });
    const ownLandmarks = landmarks.slice();
    const outline = new Float32Array(2 * MEDIAPIPE_FACE_OVAL.length);
    MEDIAPIPE_FACE_OVAL.forEach((p, i) => outline.set(landmarks.subarray(2 * p, 2 * p + 2), 2 * i));
    const started = performance.now();
    this.remote
      .run(Comlink.transfer(copy, [copy as unknown as Transferable]), { crop, frameWidth: width, frameHeight: height, outline })
      .then((result) => {
        this.failures = 0;
        this.pending = { timeMs, landmarks: ownLandmarks, dense: this.toDense(result.records, crop, timeMs) };
        this.checkRunTime(performance.now() - started);
      })
      .catch((error: WorkerErrorPayload) => this.onRunFailed(error))
      .finally(() => (this.busy = false));
  }

  /**
   * Dense correspondences for the frame at `timeMs` with these landmarks: the maps that
   * arrived since the last call, moved by the head motion since their frame, their weights
   * lowered with age. Undefined when none arrived, they are too old, or the motion is too large
   * to carry them over.
   */
  denseFor(timeMs: number, landmarks: Float32Array): DenseCorrespondences | undefined {
    const maps = this.pending;
    this.pending = undefined;
    if (!maps || this.stopped) return undefined;
    const ageMs = timeMs - maps.timeMs;
    if (ageMs < 0 || ageMs > this.maxAgeMs) return undefined;
    if (ageMs === 0) return maps.dense;
    const motion = fitLandmarkMotion(maps.landmarks, landmarks);
    if (!motion || motion.rmsPx > MAX_MOTION_RESIDUAL * faceExtent(landmarks)) return undefined;
    const fade = 1 - (0.5 * ageMs) / this.maxAgeMs;
    const dense = maps.dense;
    return {
      ...dense,
      pixels: applyLandmarkMotion(motion, dense.pixels),
      weights: dense.weights ? dense.weights.map((w) => w * fade) : new Float32Array(dense.vertices.length).fill(fade),
    };
  }

  /** The face left the frame (or a new person starts): forget the maps. */
  faceLost(): void {
    this.pending = undefined;
  }

  private toDense(records: Float32Array, crop: FaceCrop, timeMs: number): DenseCorrespondences {
    return denseFromRecords(records, this.vertices, crop, this.info.inputSize, timeMs, { maxUvDistance: this.maxUvDistance, minNormalZ: 0 }, this.info.normalsSpace);
  }

  /** On the CPU, a network too slow for its maps ever to be fresh only takes CPU from the track: stop it. */
  private checkRunTime(runMs: number): void {
    if (this.info.backend !== 'wasm' || runMs <= this.maxAgeMs) {
      this.slowRuns = 0;
      return;
    }
    if (++this.slowRuns < MAX_STALE_RUNS) return;
    this.stop(
      'webgpu-unavailable',
      `The ViT prior takes ${Math.round(runMs)} ms per run on WASM, longer than the ${this.maxAgeMs} ms its maps stay useful: it was stopped to spare the CPU, and tracking continues on landmarks only. Run it where WebGPU is available, or use a smaller network.`,
    );
  }

  private onRunFailed(error: WorkerErrorPayload): void {
    const e = error?.trackerError;
    if (e?.code === 'gpu-device-lost') return this.stop('gpu-device-lost', `${e.message} Tracking continues on landmarks only.`);
    if (++this.failures >= MAX_FAILURES) {
      this.stop(e?.code ?? 'invalid-state', `The ViT prior failed ${MAX_FAILURES} times in a row (${e?.message ?? String(error)}); tracking continues on landmarks only.`);
    }
  }

  private stop(code: TrackerErrorCode, message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.pending = undefined;
    this.worker.terminate();
    const event: PriorStoppedEvent = { type: 'stopped', code, message };
    this.pendingEvent = event;
    this.listener?.(event);
  }
}

/** The landmarks' bounding-box diagonal, px. */
function faceExtent(landmarks: Float32Array): number {
  const { minX, minY, maxX, maxY } = landmarkBounds(landmarks);
  return Math.hypot(maxX - minX, maxY - minY);
}
