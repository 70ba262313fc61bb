import { TrackerError } from '../../core/errors.js';
import { navigatorGpu, type GpuAdapter } from './kernels/webgpuTypes.js';
import type { PriorBackendChoice } from '../priorProtocol.js';
import type { NetworkBackend } from './PriorNetwork.js';

export interface BackendChoice {
  backend: NetworkBackend;
  adapter?: GpuAdapter;
  /** Why WebGPU is not used, when it is not. */
  notes: string[];
}

/**
 * WebGPU on a hardware adapter first; WASM when there is no WebGPU, or (in 'auto') when the only
 * adapter is a software fallback such as SwiftShader, where WASM is much faster.
 * 'webgpu' insists: no adapter at all is a `webgpu-unavailable` error.
 */
export async function choosePriorBackend(choice: PriorBackendChoice): Promise<BackendChoice> {
  if (choice === 'wasm') return { backend: 'wasm', notes: [] };
  const adapter = (await navigatorGpu()?.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null)) ?? undefined;
  if (!adapter) {
    if (choice === 'webgpu') throw new TrackerError('webgpu-unavailable', 'The prior was asked to run on WebGPU, but this browser offers no WebGPU adapter. Use a browser with WebGPU, or prior.backend "auto"/"wasm".');
    return { backend: 'wasm', notes: ['WebGPU is unavailable: the ViT prior runs on WASM (CPU), at a lower rate.'] };
  }
  if (choice === 'auto' && adapter.info?.isFallbackAdapter) {
    return { backend: 'wasm', notes: [`The only WebGPU adapter is a software one (${adapter.info.architecture || 'fallback'}): the ViT prior runs on WASM, which is faster there.`] };
  }
  return { backend: 'webgpu', adapter, notes: [] };
}
