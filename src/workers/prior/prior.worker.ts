/**
 * The prior worker, started by the tracking worker: ONNX Runtime and the GPU kernels run here so
 * that inference (which blocks its thread on WASM) never holds up the per-frame track. Exposed
 * over comlink as `PriorWorkerApi`.
 */
import * as Comlink from 'comlink';
import { TrackerError, type TrackerErrorCode } from '../../core/errors.js';
import type { PriorWorkerApi, WorkerErrorPayload } from './priorProtocol.js';
import { PriorRunner } from './PriorRunner.js';

let runner: PriorRunner | undefined;

function asPayload(error: unknown, fallback: TrackerErrorCode): WorkerErrorPayload {
  const e = error instanceof TrackerError ? error : new TrackerError(fallback, (error as Error)?.message ?? String(error));
  return { trackerError: e.toJSON() };
}

const api: PriorWorkerApi = {
  async init(init) {
    try {
      runner = await PriorRunner.create(init);
      return runner.info;
    } catch (error) {
      throw asPayload(error, 'prior-format');
    }
  },

  async run(frame, request) {
    try {
      if (!runner) throw new TrackerError('invalid-state', 'The prior worker is not initialised.');
      const result = await runner.run(frame, request);
      return Comlink.transfer(result, [result.records.buffer as ArrayBuffer]);
    } catch (error) {
      frame.close();
      throw asPayload(error, 'invalid-input');
    }
  },

  onDeviceLost(listener) {
    runner?.onDeviceLost(listener);
  },

  dispose() {
    void runner?.dispose();
    runner = undefined;
  },
};

Comlink.expose(api);
