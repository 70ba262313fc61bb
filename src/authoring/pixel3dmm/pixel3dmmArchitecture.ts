/**
 * The architecture of Pixel3DMM's prediction networks (Giebenhain et al. 2025; the released
 * `uv.ckpt` and `normals.ckpt`), as far as inference uses it, read from a checkpoint's saved
 * hyper-parameters (`hyper_parameters.cfg`, the project's OmegaConf config) and checked against
 * its state dict:
 *
 * 1. a DINO ViT (timm `vit_{small,base}_patch16_224.dino`, built with dynamic image size) over the
 *    512 px crop, its class token dropped: 32×32 tokens;
 * 2. optionally a learnt positional map added, and a view embedding concatenated;
 * 3. a linear projection to the head's width, then transformer blocks, each two rounds of
 *    (LayerNorm, bias-free multi-head self-attention, LayerNorm, MLP);
 * 4. three 2× transposed convolutions (32 → 256 px), each followed by GELU;
 * 5. a per-pixel linear layer giving 2×2 output pixels each: 512 px maps.
 */
import { TrackerError } from '../../core/errors.js';
import type { PlainValue } from '../pytorch/plainConfig.js';

/** The backbones the released networks use, as timm names them. */
export const PIXEL3DMM_BACKBONES = {
  'vit_small_patch16_224.dino': { width: 384, heads: 6, depth: 12 },
  'vit_base_patch16_224.dino': { width: 768, heads: 12, depth: 12 },
} as const;
export type Pixel3dmmBackbone = keyof typeof PIXEL3DMM_BACKBONES;

/** Input side, px: what the released networks were trained and run at. */
export const PIXEL3DMM_INPUT_SIZE = 512;
export const PIXEL3DMM_PATCH = 16;
/** The backbone's position embedding is for 224 px: 14×14 patches, resampled to the input. */
export const PIXEL3DMM_PRETRAIN_GRID = 14;

/** Which map a network predicts, and its channels in the network's output. */
export type Pixel3dmmPrediction = 'uv_map' | 'normals';

export interface Pixel3dmmArchitecture {
  backbone: Pixel3dmmBackbone;
  /** Token width D, attention heads and blocks of the backbone. */
  backboneWidth: number;
  backboneHeads: number;
  backboneDepth: number;
  /** A learnt [D, 32, 32] map added to the backbone's features (`use_pos_enc`). */
  positionMap: boolean;
  /** Channels of the view embedding concatenated to the features (`n_views` > 1), else 0. */
  viewEmbedding: number;
  /** The head's width E, blocks and attention heads. */
  width: number;
  layers: number;
  heads: number;
  /** Channels of the network's output and where the prediction lies among them. */
  outputChannels: number;
  prediction: Pixel3dmmPrediction;
  predictionOffset: number;
}

const formatError = (message: string, details: Record<string, unknown> = {}): never => {
  throw new TrackerError('prior-format', message, details);
};

const object = (value: PlainValue | undefined): { [key: string]: PlainValue } | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;

/** Output channels per prediction type, in the order the network lays them out. */
const OUTPUT_LAYOUT: [string, number, number][] = [
  // [name, channels, extra channels when pred_disentangled]
  ['pos_map', 3, 3],
  ['uv_map', 2, 2],
  ['normals', 3, 3],
  ['albedo', 3, 0],
  ['nocs', 3, 0],
];

/** Reads the architecture from a checkpoint's hyper-parameters; `label` names the file in errors. */
export function pixel3dmmArchitecture(hyperParameters: PlainValue, label: string): Pixel3dmmArchitecture {
  const cfg = object(object(hyperParameters)?.cfg);
  const model = object(cfg?.model);
  if (!cfg || !model) {
    formatError(`${label} has no Pixel3DMM configuration (hyper_parameters.cfg.model): it is not one of Pixel3DMM's Lightning checkpoints (uv.ckpt, normals.ckpt).`, {
      found: Object.keys(object(hyperParameters) ?? {}),
    });
  }
  const text = (key: string) => (typeof model![key] === 'string' ? (model![key] as string) : undefined);
  const int = (key: string, fallback?: number): number => {
    const value = model![key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) formatError(`${label}: cfg.model.${key} is ${JSON.stringify(value ?? null)}, not a whole number.`);
    return value as number;
  };
  const flag = (key: string) => model![key] === true;

  const backbone = text('encoder_backbone') ?? '';
  if (!(backbone in PIXEL3DMM_BACKBONES)) {
    formatError(`${label} uses the backbone '${backbone}', which this importer does not know; it knows ${Object.keys(PIXEL3DMM_BACKBONES).join(' and ')} (those of the released networks).`, { backbone });
  }
  if ((text('feature_map_type') ?? 'DINO') !== 'DINO') formatError(`${label} uses feature_map_type '${text('feature_map_type')}'; the released networks use DINO.`);
  if (!flag('conv_dec')) formatError(`${label} decodes without the transposed-convolution decoder (cfg.model.conv_dec false), which the released networks use and this importer rebuilds.`);
  for (const key of ['use_uv_enc', 'use_plucker', 'prior_input']) {
    if (flag(key)) formatError(`${label} has cfg.model.${key} set: such a network needs inputs besides the image, which inference does not have.`, { [key]: true });
  }
  if (int('n_facial_components', 0) > 0) formatError(`${label} predicts FLAME parameters from facial-component tokens (n_facial_components > 0), not pixel maps.`);

  const predictionType = text('prediction_type') ?? '';
  const disentangled = flag('pred_disentangled');
  let outputChannels = 0;
  const offsets = new Map<string, number>();
  for (const [name, channels, extra] of OUTPUT_LAYOUT) {
    if (!predictionType.includes(name)) continue;
    offsets.set(name, outputChannels);
    outputChannels += channels + (disentangled ? extra : 0);
  }
  const predictions = (['uv_map', 'normals'] as const).filter((p) => offsets.has(p));
  if (predictions.length !== 1) {
    formatError(`${label} predicts '${predictionType}'; a Pixel3DMM network to import predicts either uv_map (uv.ckpt) or normals (normals.ckpt).`, { predictionType });
  }
  const nViews = typeof cfg!.n_views === 'number' ? cfg!.n_views : 1;
  const { width, heads, depth } = PIXEL3DMM_BACKBONES[backbone as Pixel3dmmBackbone];
  return {
    backbone: backbone as Pixel3dmmBackbone,
    backboneWidth: width,
    backboneHeads: heads,
    backboneDepth: depth,
    positionMap: flag('use_pos_enc'),
    viewEmbedding: nViews > 1 ? int('view_embed_dim') : 0,
    width: int('embedding_dim'),
    layers: int('num_layers'),
    heads: int('num_heads'),
    outputChannels,
    prediction: predictions[0]!,
    predictionOffset: offsets.get(predictions[0]!)!,
  };
}

/** Every state-dict entry (under `net.`) the inference forward reads, with its shape. */
export function pixel3dmmWeightShapes(a: Pixel3dmmArchitecture): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const D = a.backboneWidth, E = a.width, grid = PIXEL3DMM_INPUT_SIZE / PIXEL3DMM_PATCH;
  const vit = 'img_encoder.model.';
  shapes.set(`${vit}cls_token`, [1, 1, D]);
  shapes.set(`${vit}pos_embed`, [1, 1 + PIXEL3DMM_PRETRAIN_GRID ** 2, D]);
  shapes.set(`${vit}patch_embed.proj.weight`, [D, 3, PIXEL3DMM_PATCH, PIXEL3DMM_PATCH]);
  shapes.set(`${vit}patch_embed.proj.bias`, [D]);
  for (let b = 0; b < a.backboneDepth; b++) {
    const p = `${vit}blocks.${b}.`;
    for (const norm of ['norm1', 'norm2']) shapes.set(`${p}${norm}.weight`, [D]).set(`${p}${norm}.bias`, [D]);
    shapes.set(`${p}attn.qkv.weight`, [3 * D, D]).set(`${p}attn.qkv.bias`, [3 * D]);
    shapes.set(`${p}attn.proj.weight`, [D, D]).set(`${p}attn.proj.bias`, [D]);
    shapes.set(`${p}mlp.fc1.weight`, [4 * D, D]).set(`${p}mlp.fc1.bias`, [4 * D]);
    shapes.set(`${p}mlp.fc2.weight`, [D, 4 * D]).set(`${p}mlp.fc2.bias`, [D]);
  }
  shapes.set(`${vit}norm.weight`, [D]).set(`${vit}norm.bias`, [D]);
  if (a.positionMap) shapes.set('patch_pos_enc', [1, D, grid, grid]);
  if (a.viewEmbedding) shapes.set('view_embed', [1, -1, a.viewEmbedding, 1, 1]);
  shapes.set('vol_decoder.down_proj.weight', [E, D + a.viewEmbedding]).set('vol_decoder.down_proj.bias', [E]);
  for (let l = 0; l < a.layers; l++) {
    const p = `vol_decoder.layers.${l}.`;
    for (const norm of ['norm1', 'norm2', 'norm3', 'norm4']) shapes.set(`${p}${norm}.weight`, [E]).set(`${p}${norm}.bias`, [E]);
    for (const attention of ['self_attn', 'self_attn2']) shapes.set(`${p}${attention}.in_proj_weight`, [3 * E, E]).set(`${p}${attention}.out_proj.weight`, [E, E]);
    for (const mlp of ['mlp', 'mlp2']) {
      shapes.set(`${p}${mlp}.0.weight`, [4 * E, E]).set(`${p}${mlp}.0.bias`, [4 * E]);
      shapes.set(`${p}${mlp}.3.weight`, [E, 4 * E]).set(`${p}${mlp}.3.bias`, [E]);
    }
  }
  for (const conv of ['t_conv1', 't_conv2', 't_conv3']) shapes.set(`${conv}.weight`, [E, E, 2, 2]).set(`${conv}.bias`, [E]);
  shapes.set('token_2_patch_content.weight', [4 * a.outputChannels, E]).set('token_2_patch_content.bias', [4 * a.outputChannels]);
  return shapes;
}

/**
 * Parameters that, if present, would change what the modules above compute (biases the released
 * attention layers do not have): a checkpoint with them is a different architecture.
 */
export function unexpectedPixel3dmmWeights(a: Pixel3dmmArchitecture, keys: Iterable<string>): string[] {
  const expected = pixel3dmmWeightShapes(a);
  const computed = /^(img_encoder\.model\.(blocks|patch_embed|norm|cls_token|pos_embed|reg_token)|vol_decoder\.(down_proj|layers)|t_conv[123]\.|token_2_patch_content)/;
  return [...keys].filter((key) => computed.test(key) && !expected.has(key));
}
