/**
 * The tracking worker: every per-frame stage runs here, so the page's main thread only grabs
 * frames and receives events. Exposed over comlink as `TrackingWorkerApi`. The page ends it with
 * `terminate()`, which also ends the prior worker it started and frees what both hold.
 */
import * as Comlink from 'comlink';
import { TrackerError } from '../../core/errors.js';
import { describeFaceModel } from '../../core/model/FaceModel.js';
import { readFaceModel } from '../../core/model/readFaceModel.js';
import type { TrackingWorkerApi, TrackResult, WorkerInit, WorkerReady } from '../protocol.js';
import { toWorkerError } from '../wireError.js';
import { LandmarkDetector, mediaPipeFailureReason } from './LandmarkDetector.js';
import { PriorStage } from './prior/PriorStage.js';
import { TrackingPipeline } from './TrackingPipeline.js';

let pipeline: TrackingPipeline | undefined;
let prior: PriorStage | undefined;

const api: TrackingWorkerApi = {
  async init(init: WorkerInit): Promise<WorkerReady> {
    try {
      const model = await readFaceModel(init.faceModel);
      // The prior (its own worker, ONNX Runtime) starts alongside MediaPipe.
      const priorReady = init.prior ? PriorStage.create(init.prior, model) : undefined;
      priorReady?.catch(() => undefined); // awaited below; not unhandled if MediaPipe fails first
      let detector: LandmarkDetector | undefined;
      if (init.landmarksInWorker) {
        detector = await LandmarkDetector.create(init.landmarker, init.mediapipe, init.delegate, init.maxFaces).catch((cause) => {
          if (cause instanceof TrackerError) throw cause; // its files could not be loaded: no other thread would do better
          throw new TrackerError('model-format', `MediaPipe FaceLandmarker could not start in the worker: ${mediaPipeFailureReason(cause)}. Check the .task file.`, { stage: 'landmarker' });
        });
      }
      prior = await priorReady;
      pipeline = new TrackingPipeline(model, detector, init.pipeline, prior);
      return { model: describeFaceModel(model), ...(prior ? { prior: prior.info } : {}) };
    } catch (error) {
      throw toWorkerError(error, 'model-format');
    }
  },

  async track(frame, meta, landmarks) {
    try {
      const tracking = initialised();
      const recording = !tracking.neutral.neutralWeights;
      const face = tracking.process(frame, meta, landmarks);
      const recorded = recording ? tracking.neutral.neutralWeights : undefined;
      const result: TrackResult = { face, ...(recorded ? { neutralRecorded: Array.from(recorded) } : {}) };
      if (!face) return result;
      const buffers = [face.landmarks2d, face.mediapipeLandmarks, face.vertices].filter((a): a is Float32Array => !!a).map((a) => a.buffer as ArrayBuffer);
      return Comlink.transfer(result, buffers);
    } catch (error) {
      throw toWorkerError(error, 'invalid-input');
    } finally {
      frame.close();
    }
  },

  reset() {
    pipeline?.reset();
  },

  calibrateNeutral() {
    wireErrors(() => initialised().neutral.calibrateNeutral());
  },

  restoreNeutral(weights) {
    wireErrors(() => initialised().neutral.restoreNeutral(weights));
  },

  onPriorEvent(listener) {
    prior?.onEvent(listener);
  },
};

function initialised(): TrackingPipeline {
  if (!pipeline) throw new TrackerError('invalid-state', 'The tracking worker is not initialised.');
  return pipeline;
}

/** Runs `call`, throwing what it throws as a `WorkerErrorPayload` (its code kept across the boundary). */
function wireErrors(call: () => void): void {
  try {
    call();
  } catch (error) {
    throw toWorkerError(error, 'invalid-input');
  }
}

Comlink.expose(api);
