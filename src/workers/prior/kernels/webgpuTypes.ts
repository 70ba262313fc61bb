/**
 * The slice of the WebGPU API this SDK uses, typed locally: TypeScript's DOM library has no
 * WebGPU types and the package takes no dependency for them. Names follow the spec (GPU* →
 * Gpu*); only the members used here are declared.
 */

/** GPUBufferUsage / GPUTextureUsage / GPUMapMode flags (the globals exist only where WebGPU does). */
export const BufferUsage = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, UNIFORM: 0x0040, STORAGE: 0x0080 } as const;
export const TextureUsage = { COPY_DST: 0x02, TEXTURE_BINDING: 0x04, RENDER_ATTACHMENT: 0x10 } as const;
export const MapMode = { READ: 0x0001 } as const;

export interface GpuBuffer {
  readonly size: number;
  readonly mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GpuTexture {
  readonly width: number;
  readonly height: number;
  createView(): GpuTextureView;
  destroy(): void;
}
export type GpuTextureView = { readonly __brand: 'GPUTextureView' };
export type GpuShaderModule = { readonly __brand: 'GPUShaderModule' };
export type GpuBindGroup = { readonly __brand: 'GPUBindGroup' };
export type GpuBindGroupLayout = { readonly __brand: 'GPUBindGroupLayout' };
export type GpuPipelineLayout = { readonly __brand: 'GPUPipelineLayout' };
export type GpuCommandBuffer = { readonly __brand: 'GPUCommandBuffer' };

export type GpuComputePipeline = { readonly __brand: 'GPUComputePipeline' };

export interface GpuComputePass {
  setPipeline(pipeline: GpuComputePipeline): void;
  setBindGroup(index: number, group: GpuBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

export interface GpuCommandEncoder {
  beginComputePass(): GpuComputePass;
  copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, destination: GpuBuffer, destinationOffset: number, size: number): void;
  finish(): GpuCommandBuffer;
}

/** What `copyExternalImageToTexture` reads: a VideoFrame, ImageBitmap, canvas, … */
export type GpuExternalImage = VideoFrame | ImageBitmap | OffscreenCanvas | ImageData;

export interface GpuQueue {
  writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView | ArrayBuffer): void;
  submit(commands: GpuCommandBuffer[]): void;
  onSubmittedWorkDone(): Promise<void>;
  copyExternalImageToTexture(
    source: { source: GpuExternalImage; origin?: { x: number; y: number } },
    destination: { texture: GpuTexture },
    size: { width: number; height: number },
  ): void;
}

export type GpuBindingResource = { buffer: GpuBuffer; offset?: number; size?: number } | GpuTextureView;

export interface GpuDevice {
  readonly queue: GpuQueue;
  readonly features: ReadonlySet<string>;
  readonly lost: Promise<{ reason: 'unknown' | 'destroyed'; message: string }>;
  createBuffer(descriptor: { size: number; usage: number; label?: string }): GpuBuffer;
  createTexture(descriptor: { size: { width: number; height: number }; format: 'rgba8unorm'; usage: number; label?: string }): GpuTexture;
  createShaderModule(descriptor: { code: string; label?: string }): GpuShaderModule;
  createBindGroupLayout(descriptor: { entries: BindGroupLayoutEntry[]; label?: string }): GpuBindGroupLayout;
  createPipelineLayout(descriptor: { bindGroupLayouts: GpuBindGroupLayout[] }): GpuPipelineLayout;
  createComputePipeline(descriptor: { layout: GpuPipelineLayout | 'auto'; compute: { module: GpuShaderModule; entryPoint: string }; label?: string }): GpuComputePipeline;
  createBindGroup(descriptor: { layout: GpuBindGroupLayout; entries: { binding: number; resource: GpuBindingResource }[] }): GpuBindGroup;
  createCommandEncoder(): GpuCommandEncoder;
  destroy(): void;
}

export interface BindGroupLayoutEntry {
  binding: number;
  /** GPUShaderStage.COMPUTE = 4. */
  visibility: number;
  buffer?: { type: 'uniform' | 'storage' | 'read-only-storage' };
  texture?: { sampleType: 'float' | 'unfilterable-float' };
}
export const SHADER_STAGE_COMPUTE = 4;

export interface GpuAdapter {
  readonly features: ReadonlySet<string>;
  readonly info?: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean };
  requestDevice(descriptor?: { requiredFeatures?: string[] }): Promise<GpuDevice>;
}

/** `navigator.gpu`, where the browser has WebGPU. */
export function navigatorGpu(): { requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapter | null> } | undefined {
  return (globalThis.navigator as { gpu?: ReturnType<typeof navigatorGpu> } | undefined)?.gpu;
}
