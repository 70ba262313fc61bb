/**
 * The test networks of the prior contract: tiny ones (committed, for tests) and Pixel3DMM-sized
 * ones (ViT-S/16 and ViT-B/16 at 512 px, built on demand for benchmarks). Random weights; the
 * tiny ones carry the model's frontal maps as a bias (see `frontalFaceMaps`).
 */
import type { NormalsSpace } from '../../src/core/fit/types.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { PRIOR_METADATA_KEYS, type PriorOutputName } from '../../src/workers/prior/priorContract.js';
import { renderFrontalMaps } from './frontalFaceMaps.js';
import { buildVitContractNetwork, type VitContractConfig } from './vitContractNetwork.js';

export const TINY_INPUT_SIZE = 128;
/** Random content on top of the frontal bias, UV units of [-1, 1] at most: small, so the maps stay face-like. */
export const TINY_CONTENT_SCALE = 0.02;

type Architecture = Pick<VitContractConfig, 'inputSize' | 'dim' | 'depth' | 'heads' | 'headDepth' | 'headChannels'>;

const TINY: Architecture = { inputSize: TINY_INPUT_SIZE, dim: 64, depth: 2, heads: 2, headDepth: 1, headChannels: 16 };
const TINY_SPLIT: Architecture = { inputSize: TINY_INPUT_SIZE, dim: 48, depth: 2, heads: 2, headDepth: 1, headChannels: 16 };

export const PIXEL3DMM_SIZED: Record<'vit-s16-512' | 'vit-b16-512', Architecture> = {
  'vit-s16-512': { inputSize: 512, dim: 384, depth: 12, heads: 6, headDepth: 1, headChannels: 128 },
  'vit-b16-512': { inputSize: 512, dim: 768, depth: 12, heads: 12, headDepth: 1, headChannels: 128 },
};

/** The contract's optional metadata (absent: camera-space normals, no declared UV mirror centre). */
export interface OptionalPriorMetadata {
  normalsSpace?: NormalsSpace;
  /** The output's [-1, 1] units. */
  uvMirrorCentre?: number;
}

export const metadataFor = (uvLayout: string, inputSize: number, optional: OptionalPriorMetadata = {}): Record<string, string> => ({
  [PRIOR_METADATA_KEYS.uvLayout]: uvLayout,
  [PRIOR_METADATA_KEYS.inputSize]: String(inputSize),
  ...(optional.normalsSpace ? { [PRIOR_METADATA_KEYS.normalsSpace]: optional.normalsSpace } : {}),
  ...(optional.uvMirrorCentre !== undefined ? { [PRIOR_METADATA_KEYS.uvMirrorCentre]: String(optional.uvMirrorCentre) } : {}),
});

/**
 * `normalsSpace: 'model'` declares model-frame normals, as Pixel3DMM's networks predict: the
 * frontal bias is the unrotated neutral face, whose normals are the same in both frames, so only
 * the metadata differs (and a constant output fits a turning head better as model-frame normals).
 */
export interface TinyNetworkOptions extends OptionalPriorMetadata {
  outputs?: PriorOutputName[];
  /** Without the frontal bias: the raw network (uv = tanh, normals = normalize). */
  raw?: boolean;
  /** Override the metadata (broken-network tests). */
  metadata?: Record<string, string>;
  /** Override the input side (broken-network tests; the metadata still says 128 unless given). */
  inputSize?: number;
  split?: boolean;
  seed?: number;
}

/** A tiny network for `model`; by default the combined one with both outputs and the bias. */
export function buildTinyNetwork(model: FaceModel, options: TinyNetworkOptions = {}): Uint8Array {
  const architecture = { ...(options.split ? TINY_SPLIT : TINY), ...(options.inputSize ? { inputSize: options.inputSize } : {}) };
  const maps = options.raw ? undefined : renderFrontalMaps(model, architecture.inputSize);
  const outputs = options.outputs ?? ['uv', 'normals'];
  return buildVitContractNetwork({
    ...architecture,
    name: `tiny-vit-${outputs.join('-')}`,
    outputs,
    seed: options.seed ?? 7,
    ...(maps ? { bias: { uv: maps.uv, normals: maps.normals, contentScale: TINY_CONTENT_SCALE } } : {}),
    metadata: options.metadata ?? metadataFor(model.uvLayout, architecture.inputSize, options),
  }).bytes;
}

/** A Pixel3DMM-sized network with both outputs (no bias: for timing only). */
export function buildPixel3dmmSized(name: keyof typeof PIXEL3DMM_SIZED, uvLayout: string): { bytes: Uint8Array; parameters: number } {
  const architecture = PIXEL3DMM_SIZED[name];
  return buildVitContractNetwork({ ...architecture, name, outputs: ['uv', 'normals'], seed: 11, metadata: metadataFor(uvLayout, architecture.inputSize) });
}
