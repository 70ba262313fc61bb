/**
 * One prior run per call, inside the prior worker: crop → network input → network (plain, and
 * mirrored with TTA) → per-vertex lookup records. On WebGPU every step stays on the GPU and only
 * the records are read back; on WASM the same steps run on the CPU references.
 */
import { TrackerError } from '../../core/errors.js';
import { cropSourceRect, frameToCrop } from '../../core/image/cropGeometry.js';
import { denseLookupCpu } from './kernels/denseLookupCpu.js';
import { GpuCropPreprocessor } from './kernels/GpuCropPreprocessor.js';
import { GpuDenseLookup, type GpuPriorMaps } from './kernels/GpuDenseLookup.js';
import { mergeMirroredCpu } from './kernels/mergeMirroredCpu.js';
import { preprocessCropCpu } from './kernels/preprocessCropCpu.js';
import { BufferUsage, type GpuBuffer, type GpuDevice } from './kernels/webgpuTypes.js';
import { type BackendChoice, choosePriorBackend } from './choosePriorBackend.js';
import { type PriorSpec, readPriorSpec } from './priorContract.js';
import { halfPrecisionModels } from './halfPrecision.js';
import { configureOrt, PriorNetwork } from './PriorNetwork.js';
import type { PriorRequest, PriorResult, PriorRuntimeInfo, PriorWorkerInit } from '../priorProtocol.js';
import { readFrameRegion } from './readFrameRegion.js';

/** Lookup grid cells per map pixel along a side: a few pixels per cell on a typical face crop. */
const GRID_CELLS_PER_PIXEL = 0.5;

interface GpuPath {
  device: GpuDevice;
  preprocessor: GpuCropPreprocessor;
  lookup: GpuDenseLookup;
  /** Network inputs and output maps, per pass (plain, then mirrored with TTA). */
  passes: { input: GpuBuffer; maps: GpuPriorMaps }[];
  buffers: GpuBuffer[];
}

export class PriorRunner {
  private lostListener?: (message: string) => void;
  private lostMessage?: string;

  private constructor(
    readonly info: PriorRuntimeInfo,
    private readonly network: PriorNetwork,
    private readonly init: PriorWorkerInit,
    private readonly gridSize: number,
    private readonly gpu?: GpuPath,
  ) {
    gpu?.device.lost.then((lost) => {
      this.lostMessage = lost.message || lost.reason;
      this.lostListener?.(this.lostMessage);
    });
  }

  static async create(init: PriorWorkerInit): Promise<PriorRunner> {
    const spec = readPriorSpec(init.models, init.uvLayout);
    configureOrt(init.ort);
    const choice = await choosePriorBackend(init.backend);
    const notes = [...choice.notes];
    const half = halfPrecisionModels(init.models, init.fp16, choice, notes);
    const halfNetwork = half
      ? await PriorNetwork.create(half, spec, 'webgpu').catch((error: Error) => {
          notes.push(`The prior could not run in fp16 (${error.message}); it runs in fp32.`);
          return undefined;
        })
      : undefined;
    const network = halfNetwork ?? (await createFullPrecisionNetwork(init, spec, choice, notes));
    const fp16 = network === halfNetwork;
    const gridSize = Math.max(16, Math.round(spec.inputSize * GRID_CELLS_PER_PIXEL));
    // The prior knows its own layout best; else the face model's symmetry, as estimated.
    const uvMirrorCentre = spec.uvMirrorCentre ?? init.uvMirrorCentre;
    const gpu = network.backend === 'webgpu' ? await createGpuPath(init, spec.inputSize, gridSize, uvMirrorCentre) : undefined;
    const info: PriorRuntimeInfo = {
      backend: network.backend,
      preprocessing: gpu ? 'gpu' : 'cpu',
      fp16,
      tta: init.tta,
      inputSize: spec.inputSize,
      uvLayout: spec.uvLayout,
      normalsSpace: spec.normalsSpace,
      ...(uvMirrorCentre === undefined ? {} : { uvMirrorCentre }),
      vertices: init.vertexUvs.length / 2,
      notes,
    };
    return new PriorRunner(info, network, init, gridSize, gpu);
  }

  onDeviceLost(listener: (message: string) => void): void {
    this.lostListener = listener;
    if (this.lostMessage !== undefined) listener(this.lostMessage);
  }

  /** Runs the prior on `frame`, which it closes as soon as the crop's pixels are copied. */
  async run(frame: VideoFrame, request: PriorRequest): Promise<PriorResult> {
    if (this.lostMessage !== undefined) {
      frame.close();
      throw new TrackerError('gpu-device-lost', `The GPU device was lost (${this.lostMessage}).`);
    }
    const size = this.info.inputSize;
    const outline = new Float32Array(request.outline.length);
    for (let i = 0; i < outline.length; i += 2) [outline[i], outline[i + 1]] = frameToCrop(request.crop, size, request.outline[i]!, request.outline[i + 1]!);
    const t0 = performance.now();
    return this.gpu ? this.runGpu(this.gpu, frame, request, outline, t0) : this.runCpu(frame, request, outline, t0);
  }

  private async runGpu(gpu: GpuPath, frame: VideoFrame, request: PriorRequest, outline: Float32Array, t0: number): Promise<PriorResult> {
    let copied: boolean;
    try {
      copied = await gpu.preprocessor.run(frame, request.frameWidth, request.frameHeight, request.crop, gpu.passes.map((p, i) => ({ buffer: p.input, mirror: i === 1 })));
    } finally {
      frame.close();
    }
    if (!copied) throw new TrackerError('invalid-input', 'The face crop lies outside the frame.');
    const t1 = performance.now();
    for (const pass of gpu.passes) await this.network.runGpu(pass.input, pass.maps);
    const t2 = performance.now();
    const records = await gpu.lookup.run(gpu.passes[0]!.maps, outline, gpu.passes[1]?.maps);
    return { records, timings: { preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: performance.now() - t2 } };
  }

  private async runCpu(frame: VideoFrame, request: PriorRequest, outline: Float32Array, t0: number): Promise<PriorResult> {
    const size = this.info.inputSize;
    const rect = cropSourceRect(request.crop, request.frameWidth, request.frameHeight);
    let region;
    try {
      if (!rect) throw new TrackerError('invalid-input', 'The face crop lies outside the frame.');
      region = readFrameRegion(frame, rect);
    } finally {
      frame.close();
    }
    const inputs = [preprocessCropCpu(region, request.crop, size)];
    if (this.init.tta) inputs.push(preprocessCropCpu(region, request.crop, size, true));
    const t1 = performance.now();
    const maps = [];
    for (const input of inputs) maps.push(await this.network.runCpu(input));
    const t2 = performance.now();
    const merged = maps[1] ? mergeMirroredCpu(maps[0]!, maps[1], size, this.info.uvMirrorCentre) : maps[0]!;
    const records = denseLookupCpu({ size, uv: merged.uv, normals: merged.normals, vertexUvs: this.init.vertexUvs, polygon: outline, gridSize: this.gridSize });
    return { records, timings: { preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: performance.now() - t2 } };
  }
}

/** The network in fp32 on the chosen backend; on WASM where it cannot start on a WebGPU that 'auto' chose. */
async function createFullPrecisionNetwork(init: PriorWorkerInit, spec: PriorSpec, choice: BackendChoice, notes: string[]): Promise<PriorNetwork> {
  try {
    return await PriorNetwork.create(init.models, spec, choice.backend);
  } catch (error) {
    // A model that fails on WebGPU (an operator it lacks, a shader that does not compile) may
    // still run on WASM; contract errors do not depend on the backend.
    if (choice.backend !== 'webgpu' || init.backend === 'webgpu' || (error as TrackerError).details?.['backend'] !== 'webgpu') throw error;
    notes.push(`The prior could not start on WebGPU (${(error as Error).message}); it runs on WASM.`);
    return PriorNetwork.create(init.models, spec, 'wasm');
  }
}

async function createGpuPath(init: PriorWorkerInit, size: number, gridSize: number, uvMirrorCentre: number | undefined): Promise<GpuPath> {
  const device = await PriorNetwork.gpuDevice();
  const buffers: GpuBuffer[] = [];
  const buffer = (bytes: number) => {
    const b = device.createBuffer({ size: bytes, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
    buffers.push(b);
    return b;
  };
  const plane = size * size * 4;
  const passes = Array.from({ length: init.tta ? 2 : 1 }, () => ({ input: buffer(3 * plane), maps: { uv: buffer(2 * plane), normals: buffer(3 * plane) } }));
  return {
    device,
    preprocessor: new GpuCropPreprocessor(device, size),
    lookup: new GpuDenseLookup(device, { size, gridSize, vertexUvs: init.vertexUvs, ...(init.tta ? { tta: { uvMirrorCentre } } : {}) }),
    passes,
    buffers,
  };
}
