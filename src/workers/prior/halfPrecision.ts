import { convertToFloat16, Float16ConversionError } from './onnx/convertToFloat16.js';
import type { BackendChoice } from './choosePriorBackend.js';
import type { PriorModelBytes } from '../priorProtocol.js';

/**
 * The fp16 form of the prior's model file(s) when fp16 is requested and can run: on WebGPU with
 * an adapter that has `shader-f16`. Otherwise (or when a model cannot be converted) undefined,
 * with the reason added to `notes`.
 */
export function halfPrecisionModels(models: PriorModelBytes, requested: boolean, choice: BackendChoice, notes: string[]): PriorModelBytes | undefined {
  if (!requested) return undefined;
  if (choice.backend !== 'webgpu') {
    notes.push('fp16 applies to WebGPU only: the prior runs in fp32 on WASM.');
    return undefined;
  }
  if (!choice.adapter?.features.has('shader-f16')) {
    notes.push("fp16 was requested, but this GPU adapter lacks 'shader-f16': the prior runs in fp32.");
    return undefined;
  }
  try {
    return 'combined' in models
      ? { combined: convertToFloat16(models.combined).bytes }
      : { uv: convertToFloat16(models.uv).bytes, normals: convertToFloat16(models.normals).bytes };
  } catch (error) {
    if (!(error instanceof Float16ConversionError)) throw error;
    notes.push(`fp16 was requested, but ${error.message} The prior runs in fp32.`);
    return undefined;
  }
}
