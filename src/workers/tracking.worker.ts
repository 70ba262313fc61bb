/**
 * The tracking worker: every per-frame stage runs here, so the page's main thread only grabs
 * frames and receives events. Exposed over comlink as `TrackingWorkerApi`.
 */
import * as Comlink from 'comlink';
import { TrackerError } from '../core/errors.js';
import { readFaceModel } from '../core/model/readFaceModel.js';
import { LandmarkDetector } from './LandmarkDetector.js';
import { PriorStage } from './prior/PriorStage.js';
import type { TrackingWorkerApi, WorkerErrorPayload, WorkerInit, WorkerReady } from './protocol.js';
import { TrackingPipeline } from './TrackingPipeline.js';

let pipeline: TrackingPipeline | undefined;
let detector: LandmarkDetector | undefined;
let prior: PriorStage | undefined;

/** Errors cross comlink as plain data: Error subclasses would lose their `code`. */
function asPayload(error: unknown, fallback: TrackerError['code']): WorkerErrorPayload {
  const e = error instanceof TrackerError ? error : new TrackerError(fallback, (error as Error)?.message ?? String(error));
  return { trackerError: e.toJSON() };
}

const api: TrackingWorkerApi = {
  async init(init: WorkerInit): Promise<WorkerReady> {
    try {
      const model = await readFaceModel(init.faceModel);
      // The prior (its own worker, ONNX Runtime) starts alongside MediaPipe.
      const priorReady = init.prior ? PriorStage.create(init.prior, model) : undefined;
      priorReady?.catch(() => undefined); // awaited below; not unhandled if MediaPipe fails first
      if (init.landmarksInWorker) {
        detector = await LandmarkDetector.create(init.landmarker, init.mediapipeWasmBase, init.delegate).catch((cause) => {
          const reason = (cause as Error).message ?? String(cause);
          throw new TrackerError('model-format', `MediaPipe FaceLandmarker could not start in the worker: ${reason}. Check the .task file.`, { stage: 'landmarker' });
        });
      }
      prior = await priorReady;
      pipeline = new TrackingPipeline(model, detector, init.pipeline, prior);
      return {
        model: {
          name: model.name,
          units: model.units,
          metersPerUnit: model.metersPerUnit,
          uvLayout: model.uvLayout,
          vertexCount: model.vertexCount,
          identityCount: model.identity.names.length,
          expressionNames: [...model.expression.names],
          ...(model.skeleton ? { jointNames: [...model.skeleton.jointNames] } : {}),
          triangleCount: model.triangles.length / 3,
        },
        ...(prior ? { prior: prior.info } : {}),
      };
    } catch (error) {
      throw asPayload(error, 'model-format');
    }
  },

  async track(frame, meta, landmarks) {
    try {
      if (!pipeline) throw new TrackerError('invalid-state', 'The tracking worker is not initialised.');
      const result = pipeline.process(frame, meta, landmarks);
      if (!result) return null;
      const buffers = [result.landmarks2d, result.mediapipeLandmarks, result.vertices].filter((a): a is Float32Array => !!a).map((a) => a.buffer as ArrayBuffer);
      return Comlink.transfer(result, buffers);
    } catch (error) {
      throw asPayload(error, 'invalid-input');
    } finally {
      frame.close();
    }
  },

  reset() {
    pipeline?.reset();
  },

  onPriorEvent(listener) {
    prior?.onEvent(listener);
  },

  dispose() {
    detector?.close();
    detector = undefined;
    prior?.dispose();
    prior = undefined;
    pipeline = undefined;
  },
};

Comlink.expose(api);
