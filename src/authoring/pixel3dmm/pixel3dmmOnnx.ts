/**
 * One Pixel3DMM network (see `pixel3dmmArchitecture.ts`) rebuilt as an ONNX graph of the prior
 * contract (docs/architecture.md, "The prior contract"): input `image` [1, 3, 512, 512]
 * (ImageNet-normalised, as the contract's preprocessing gives it), output `uv` [1, 2, 512, 512]
 * or `normals` [1, 3, 512, 512]. What inference does after the network is folded in:
 * - uv: clamped to [-1, 1] (their inference clamps (uv + 1) / 2 to [0, 1]); already the contract's
 *   2·uv − 1 with v down.
 * - normals: the network's r gives the normal (r0, −r2, −r1) in FLAME's model frame (their
 *   inference script's reordering; their tracker compares it with the rendered normal rotated back
 *   by the head rotation), normalised. The reordering is folded into the last layer's weights.
 */
import { float, OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.js';
import { PIXEL3DMM_INPUT_SIZE, PIXEL3DMM_PATCH, PIXEL3DMM_PRETRAIN_GRID, type Pixel3dmmArchitecture } from './pixel3dmmArchitecture.js';
import { resampleAntialiasedBicubic } from './resampleAntialiasedBicubic.js';

/** A state-dict entry under `net.`, shape already checked against `pixel3dmmWeightShapes`. */
export type Pixel3dmmWeights = (key: string) => Float32Array;

/** LayerNorm epsilons: timm's ViT uses 1e-6; the head's nn.LayerNorm keeps PyTorch's 1e-5. */
const BACKBONE_EPSILON = 1e-6;
const HEAD_EPSILON = 1e-5;

export function buildPixel3dmmOnnx(a: Pixel3dmmArchitecture, weights: Pixel3dmmWeights, metadata: Record<string, string>, name: string): Uint8Array {
  const g = new OnnxGraphBuilder(name);
  const D = a.backboneWidth, E = a.width;
  const grid = PIXEL3DMM_INPUT_SIZE / PIXEL3DMM_PATCH, tokens = grid * grid;
  const vit = (key: string) => weights(`img_encoder.model.${key}`);

  /** x·Wᵀ + b for a PyTorch Linear weight W [out][in]. */
  const linear = (x: string, w: Float32Array, inDim: number, outDim: number, bias?: Float32Array) => {
    const product = g.node('MatMul', [x, g.weight('linear.w', [inDim, outDim], transpose(w, outDim, inDim))]);
    return bias ? g.node('Add', [product, g.weight('linear.b', [outDim], bias)]) : product;
  };
  const layerNorm = (x: string, gamma: Float32Array, beta: Float32Array, epsilon: number) =>
    g.node('LayerNormalization', [x, g.weight('ln.gamma', [gamma.length], gamma), g.weight('ln.beta', [beta.length], beta)], { axis: -1, epsilon: float(epsilon) });
  // Exact GELU, x·Φ(x) with erf (opset 17 has no Gelu; runtimes fuse the pattern).
  const gelu = (x: string) =>
    g.node('Mul', [g.node('Mul', [x, g.scalar('half', 0.5)]), g.node('Add', [g.node('Erf', [g.node('Mul', [x, g.scalar('inv_sqrt2', Math.SQRT1_2)])]), g.scalar('one', 1)])]);

  /** Multi-head self-attention over [1, n, dim] with packed q, k, v rows ([3·dim][dim]) and an output projection. */
  const attention = (x: string, n: number, dim: number, heads: number, qkv: Float32Array, qkvBias: Float32Array | undefined, out: Float32Array, outBias: Float32Array | undefined) => {
    const headDim = dim / heads;
    const project = (part: number) => linear(x, qkv.subarray(part * dim * dim, (part + 1) * dim * dim), dim, dim, qkvBias?.subarray(part * dim, (part + 1) * dim));
    const split = (t: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [t, g.int64s('heads_shape', [1, n, heads, headDim])])], { perm });
    const q = split(project(0), [0, 2, 1, 3]), kT = split(project(1), [0, 2, 3, 1]), v = split(project(2), [0, 2, 1, 3]);
    const scores = g.node('Mul', [g.node('MatMul', [q, kT]), g.scalar('attention_scale', 1 / Math.sqrt(headDim))]);
    const attended = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [attended], { perm: [0, 2, 1, 3] }), g.int64s('tokens_shape', [1, n, dim])]);
    return linear(merged, out, dim, dim, outBias);
  };

  // 1. The backbone over the class token and the 32×32 patch tokens.
  const image = g.input('image', [1, 3, PIXEL3DMM_INPUT_SIZE, PIXEL3DMM_INPUT_SIZE]);
  const patches = g.node('Conv', [image, g.weight('patch.w', [D, 3, PIXEL3DMM_PATCH, PIXEL3DMM_PATCH], vit('patch_embed.proj.weight')), g.weight('patch.b', [D], vit('patch_embed.proj.bias'))], {
    kernel_shape: [PIXEL3DMM_PATCH, PIXEL3DMM_PATCH],
    strides: [PIXEL3DMM_PATCH, PIXEL3DMM_PATCH],
  });
  const patchTokens = g.node('Transpose', [g.node('Reshape', [patches, g.int64s('flat_shape', [1, D, tokens])])], { perm: [0, 2, 1] });
  const positions = vit('pos_embed');
  const gridPositions = resampleAntialiasedBicubic(positions.subarray(D), PIXEL3DMM_PRETRAIN_GRID, PIXEL3DMM_PRETRAIN_GRID, D, grid, grid);
  const classToken = Float32Array.from(vit('cls_token'), (v, k) => v + positions[k]!);
  let x = g.node('Concat', [g.weight('class_token', [1, 1, D], classToken), g.node('Add', [patchTokens, g.weight('positions', [1, tokens, D], gridPositions)])], { axis: 1 });
  for (let b = 0; b < a.backboneDepth; b++) {
    const p = (key: string) => vit(`blocks.${b}.${key}`);
    x = g.node('Add', [x, attention(layerNorm(x, p('norm1.weight'), p('norm1.bias'), BACKBONE_EPSILON), tokens + 1, D, a.backboneHeads, p('attn.qkv.weight'), p('attn.qkv.bias'), p('attn.proj.weight'), p('attn.proj.bias'))]);
    const hidden = gelu(linear(layerNorm(x, p('norm2.weight'), p('norm2.bias'), BACKBONE_EPSILON), p('mlp.fc1.weight'), D, 4 * D, p('mlp.fc1.bias')));
    x = g.node('Add', [x, linear(hidden, p('mlp.fc2.weight'), 4 * D, D, p('mlp.fc2.bias'))]);
  }
  x = layerNorm(x, vit('norm.weight'), vit('norm.bias'), BACKBONE_EPSILON);
  let features = g.node('Slice', [x, g.int64s('from', [1]), g.int64s('to', [tokens + 1]), g.int64s('axis', [1])]);

  // 2. Per-token additions: the position map ([D][32][32] → tokens), the first view's embedding.
  if (a.positionMap) features = g.node('Add', [features, g.weight('position_map', [1, tokens, D], transpose(weights('patch_pos_enc'), D, tokens))]);
  if (a.viewEmbedding) {
    const view = weights('view_embed').subarray(0, a.viewEmbedding);
    const tiled = new Float32Array(tokens * a.viewEmbedding);
    for (let t = 0; t < tokens; t++) tiled.set(view, t * a.viewEmbedding);
    features = g.node('Concat', [features, g.weight('view_embedding', [1, tokens, a.viewEmbedding], tiled)], { axis: 2 });
  }

  // 3. The head's transformer: note the stream itself is normalised before each attention.
  let h = linear(features, weights('vol_decoder.down_proj.weight'), D + a.viewEmbedding, E, weights('vol_decoder.down_proj.bias'));
  for (let l = 0; l < a.layers; l++) {
    const p = (key: string) => weights(`vol_decoder.layers.${l}.${key}`);
    const mlp = (t: string, m: string) => linear(gelu(linear(t, p(`${m}.0.weight`), E, 4 * E, p(`${m}.0.bias`))), p(`${m}.3.weight`), 4 * E, E, p(`${m}.3.bias`));
    for (const [norm, attn, norm2, m] of [['norm1', 'self_attn', 'norm2', 'mlp'], ['norm3', 'self_attn2', 'norm4', 'mlp2']] as const) {
      h = layerNorm(h, p(`${norm}.weight`), p(`${norm}.bias`), HEAD_EPSILON);
      h = g.node('Add', [h, attention(h, tokens, E, a.heads, p(`${attn}.in_proj_weight`), undefined, p(`${attn}.out_proj.weight`), undefined)]);
      h = g.node('Add', [h, mlp(layerNorm(h, p(`${norm2}.weight`), p(`${norm2}.bias`), HEAD_EPSILON), m)]);
    }
  }

  // 4. Back to an image, 32 → 256 px.
  let map = g.node('Reshape', [g.node('Transpose', [h], { perm: [0, 2, 1] }), g.int64s('grid_shape', [1, E, grid, grid])]);
  for (const conv of ['t_conv1', 't_conv2', 't_conv3']) {
    map = gelu(g.node('ConvTranspose', [map, g.weight(`${conv}.w`, [E, E, 2, 2], weights(`${conv}.weight`)), g.weight(`${conv}.b`, [E], weights(`${conv}.bias`))], { kernel_shape: [2, 2], strides: [2, 2] }));
  }

  // 5. Each 256 px pixel → 2×2 output pixels: a 1×1 convolution to [(p·2 + q)·C + c] channels, then
  //    DepthToSpace (DCR), keeping only the prediction's channels (and reordering normals into the model frame).
  const isUv = a.prediction === 'uv_map';
  const channels = isUv ? 2 : 3;
  const source = isUv ? [0, 1] : [0, 2, 1];
  const sign = isUv ? [1, 1] : [1, -1, -1];
  const W = weights('token_2_patch_content.weight'), B = weights('token_2_patch_content.bias');
  const kernel = new Float32Array(4 * channels * E), bias = new Float32Array(4 * channels);
  for (let pq = 0; pq < 4; pq++) {
    for (let c = 0; c < channels; c++) {
      const row = pq * a.outputChannels + a.predictionOffset + source[c]!;
      kernel.set(W.subarray(row * E, (row + 1) * E).map((v) => sign[c]! * v), (pq * channels + c) * E);
      bias[pq * channels + c] = sign[c]! * B[row]!;
    }
  }
  const pixels = g.node('Conv', [map, g.weight('out.w', [4 * channels, E, 1, 1], kernel), g.weight('out.b', [4 * channels], bias)], { kernel_shape: [1, 1] });
  const raw = g.node('DepthToSpace', [pixels], { blocksize: 2, mode: 'DCR' });
  const dims = [1, channels, PIXEL3DMM_INPUT_SIZE, PIXEL3DMM_INPUT_SIZE];
  if (isUv) {
    g.output('uv', g.node('Clip', [raw, g.scalar('uv_min', -1), g.scalar('uv_max', 1)]), dims);
  } else {
    const length = g.node('Sqrt', [g.node('Add', [g.node('ReduceSumSquare', [raw], { axes: [1], keepdims: 1 }), g.scalar('eps', 1e-12)])]);
    g.output('normals', g.node('Div', [raw, length]), dims);
  }
  return g.encode({ producer: 'pixel3dmm-web import-pixel3dmm', metadata, docString: `Pixel3DMM ${a.prediction} network (${a.backbone}), converted for the prior contract.` });
}

/** A row-major [rows][cols] matrix transposed. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}
