/**
 * The prior worker, started by the tracking worker: ONNX Runtime and the GPU kernels run here so
 * that inference (which blocks its thread on WASM) never holds up the per-frame track. Exposed
 * over comlink as `PriorWorkerApi`; ended by `terminate()`, which frees its sessions and GPU buffers.
 */
import * as Comlink from 'comlink';
import { TrackerError } from '../../core/errors.js';
import type { PriorWorkerApi } from '../priorProtocol.js';
import { toWorkerError } from '../wireError.js';
import { PriorRunner } from './PriorRunner.js';

let runner: PriorRunner | undefined;

const api: PriorWorkerApi = {
  async init(init) {
    try {
      runner = await PriorRunner.create(init);
      return runner.info;
    } catch (error) {
      throw toWorkerError(error, 'prior-format');
    }
  },

  async run(frame, request) {
    try {
      if (!runner) throw new TrackerError('invalid-state', 'The prior worker is not initialised.');
      const result = await runner.run(frame, request);
      return Comlink.transfer(result, [result.records.buffer as ArrayBuffer]);
    } catch (error) {
      frame.close();
      throw toWorkerError(error, 'invalid-input');
    }
  },

  onDeviceLost(listener) {
    runner?.onDeviceLost(listener);
  },
};

Comlink.expose(api);
