/**
 * The prior network(s) in ONNX Runtime Web: one session per model file, on the WebGPU execution
 * provider (inputs and outputs stay GPU buffers) or on WASM (CPU arrays).
 */
import * as ort from 'onnxruntime-web/webgpu';
import { TrackerError } from '../../core/errors.js';
import type { GpuPriorMaps } from './kernels/GpuDenseLookup.js';
import type { PriorMaps } from './kernels/mergeMirroredCpu.js';
import type { GpuBuffer, GpuDevice } from './kernels/webgpuTypes.js';
import type { PriorModelBytes } from '../priorProtocol.js';
import { checkPriorSession, PRIOR_INPUT, PRIOR_OUTPUT_CHANNELS, priorModelRoles, type PriorOutputName, type PriorSpec } from './priorContract.js';

export type NetworkBackend = 'webgpu' | 'wasm';

interface Part {
  session: ort.InferenceSession;
  outputs: PriorOutputName[];
}

/** Points ONNX Runtime at its WASM build: the loader's URL and the binary (bytes the page downloaded, or a URL); once, before the first session. */
export function configureOrt(runtime: { loaderUrl: string; wasm: Uint8Array | string }): void {
  ort.env.wasm.wasmPaths = typeof runtime.wasm === 'string' ? { mjs: runtime.loaderUrl, wasm: runtime.wasm } : { mjs: runtime.loaderUrl };
  if (typeof runtime.wasm !== 'string') ort.env.wasm.wasmBinary = runtime.wasm;
  ort.env.logLevel = 'error';
}

export class PriorNetwork {
  private constructor(
    private readonly parts: Part[],
    readonly backend: NetworkBackend,
    readonly spec: PriorSpec,
  ) {}

  /** Loads the model file(s) on `backend` and checks them against the contract (`prior-format` errors). */
  static async create(models: PriorModelBytes, spec: PriorSpec, backend: NetworkBackend): Promise<PriorNetwork> {
    const options: ort.InferenceSession.SessionOptions =
      backend === 'webgpu' ? { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' } : { executionProviders: ['wasm'] };
    const parts: Part[] = [];
    try {
      for (const { bytes, outputs, label } of priorModelRoles(models)) {
        let session: ort.InferenceSession;
        try {
          session = await ort.InferenceSession.create(bytes, options);
        } catch (cause) {
          throw new TrackerError('prior-format', `ONNX Runtime could not load the ${label} on ${backend}: ${(cause as Error).message ?? cause}`, { backend }, { cause });
        }
        parts.push({ session, outputs });
        checkPriorSession(session, outputs, spec, label);
      }
    } catch (error) {
      await Promise.all(parts.map((p) => p.session.release()));
      throw error;
    }
    return new PriorNetwork(parts, backend, spec);
  }

  /** The GPU device the WebGPU execution provider runs on (after a WebGPU session exists). */
  static async gpuDevice(): Promise<GpuDevice> {
    return (await ort.env.webgpu.device) as unknown as GpuDevice;
  }

  /** WASM: runs on a CPU input [3][size][size]; returns the maps. */
  async runCpu(input: Float32Array): Promise<PriorMaps> {
    const size = this.spec.inputSize;
    const feeds = { [PRIOR_INPUT]: new ort.Tensor('float32', input, [1, 3, size, size]) };
    const maps: Partial<PriorMaps> = {};
    for (const { session, outputs } of this.parts) {
      const result = await session.run(feeds, outputs);
      for (const name of outputs) maps[name] = result[name]!.data as Float32Array;
    }
    return maps as PriorMaps;
  }

  /** WebGPU: runs on a GPU input buffer [3][size][size] and writes the maps into `out`'s buffers. */
  async runGpu(input: GpuBuffer, out: GpuPriorMaps): Promise<void> {
    const size = this.spec.inputSize;
    const gpuTensor = (buffer: GpuBuffer, channels: number) =>
      ort.Tensor.fromGpuBuffer(buffer as unknown as ort.Tensor.GpuBufferType, { dataType: 'float32', dims: [1, channels, size, size] });
    const feeds = { [PRIOR_INPUT]: gpuTensor(input, 3) };
    for (const { session, outputs } of this.parts) {
      const fetches = Object.fromEntries(outputs.map((name) => [name, gpuTensor(out[name], PRIOR_OUTPUT_CHANNELS[name])]));
      await session.run(feeds, fetches);
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.session.release().catch(() => undefined)));
    this.parts.length = 0;
  }
}
