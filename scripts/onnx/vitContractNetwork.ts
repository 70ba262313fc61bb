/**
 * A ViT of the prior contract (docs/architecture.md, "The prior contract") with random weights: patch-16 encoder,
 * then per output a transformer block and a transposed-conv head that goes back up 16x.
 * Same architecture family as Pixel3DMM's networks (DINO ViT + transformer/transposed-conv head),
 * for tests and benchmarks; the maps it predicts mean nothing unless a `bias` is given.
 */
import { PRIOR_OUTPUT_CHANNELS, type PriorOutputName } from '../../src/workers/prior/priorContract.js';
import { float, OnnxGraphBuilder } from '../../src/authoring/onnx/OnnxGraphBuilder.js';

export interface VitContractConfig {
  name: string;
  /** Input and output side, px (a multiple of 16). */
  inputSize: number;
  /** Token width, encoder blocks, attention heads. */
  dim: number;
  depth: number;
  heads: number;
  /** Transformer blocks in each output head. */
  headDepth: number;
  /** Channels between the two 4x transposed convolutions. */
  headChannels: number;
  outputs: PriorOutputName[];
  seed: number;
  /**
   * Structure for the random network: each output becomes `bias + contentScale·tanh(head)`
   * (normals then renormalised). Without it: uv = tanh(head), normals = normalize(head).
   */
  bias?: { uv: Float32Array; normals: Float32Array; contentScale: number };
  metadata: Record<string, string>;
}

const PATCH = 16;

export function buildVitContractNetwork(config: VitContractConfig): { bytes: Uint8Array; parameters: number } {
  const { inputSize: size, dim, heads } = config;
  if (size % PATCH) throw new Error(`inputSize must be a multiple of ${PATCH}`);
  const grid = size / PATCH, tokens = grid * grid;
  const rng = gaussian(config.seed);
  const g = new OnnxGraphBuilder(config.name);
  const randn = (dims: number[], std: number) => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng() * std;
    return data;
  };
  const zeros = (n: number) => new Float32Array(n);
  const ones = (n: number) => new Float32Array(n).fill(1);

  const linear = (x: string, inDim: number, outDim: number, prefix: string) =>
    g.node('Add', [g.node('MatMul', [x, g.weight(`${prefix}.w`, [inDim, outDim], randn([inDim, outDim], 1 / Math.sqrt(inDim)))]), g.weight(`${prefix}.b`, [outDim], zeros(outDim))]);
  const layerNorm = (x: string, prefix: string) =>
    g.node('LayerNormalization', [x, g.weight(`${prefix}.gamma`, [dim], ones(dim)), g.weight(`${prefix}.beta`, [dim], zeros(dim))], { axis: -1, epsilon: float(1e-6) });
  // GELU as x·Φ(x) with erf (opset 17 has no Gelu; runtimes fuse this pattern).
  const gelu = (x: string) =>
    g.node('Mul', [g.node('Mul', [x, g.scalar('half', 0.5)]), g.node('Add', [g.node('Erf', [g.node('Mul', [x, g.scalar('inv_sqrt2', Math.SQRT1_2)])]), g.scalar('one', 1)])]);

  const block = (x: string, prefix: string) => {
    const headDim = dim / heads;
    const h = layerNorm(x, `${prefix}.ln1`);
    const split = (t: string) => g.node('Reshape', [t, g.int64s('heads_shape', [1, tokens, heads, headDim])]);
    const q = g.node('Transpose', [split(linear(h, dim, dim, `${prefix}.q`))], { perm: [0, 2, 1, 3] });
    const kT = g.node('Transpose', [split(linear(h, dim, dim, `${prefix}.k`))], { perm: [0, 2, 3, 1] });
    const v = g.node('Transpose', [split(linear(h, dim, dim, `${prefix}.v`))], { perm: [0, 2, 1, 3] });
    const scores = g.node('Mul', [g.node('MatMul', [q, kT]), g.scalar('attn_scale', 1 / Math.sqrt(headDim))]);
    const attended = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [attended], { perm: [0, 2, 1, 3] }), g.int64s('tokens_shape', [1, tokens, dim])]);
    const x1 = g.node('Add', [x, linear(merged, dim, dim, `${prefix}.proj`)]);
    const mlp = linear(gelu(linear(layerNorm(x1, `${prefix}.ln2`), dim, 4 * dim, `${prefix}.fc1`)), 4 * dim, dim, `${prefix}.fc2`);
    return g.node('Add', [x1, mlp]);
  };

  const image = g.input('image', [1, 3, size, size]);
  // Patch embedding: a 16x16 stride-16 convolution, flattened to [1, tokens, dim], plus positions.
  const patches = g.node('Conv', [image, g.weight('patch.w', [dim, 3, PATCH, PATCH], randn([dim, 3, PATCH, PATCH], 1 / Math.sqrt(3 * PATCH * PATCH))), g.weight('patch.b', [dim], zeros(dim))], {
    kernel_shape: [PATCH, PATCH],
    strides: [PATCH, PATCH],
  });
  const flat = g.node('Transpose', [g.node('Reshape', [patches, g.int64s('flat_shape', [1, dim, tokens])])], { perm: [0, 2, 1] });
  let x = g.node('Add', [flat, g.weight('pos', [1, tokens, dim], randn([1, tokens, dim], 0.5))]);
  for (let b = 0; b < config.depth; b++) x = block(x, `enc${b}`);
  const encoded = layerNorm(x, 'enc.norm');

  for (const out of config.outputs) {
    const channels = PRIOR_OUTPUT_CHANNELS[out];
    let h = encoded;
    for (let b = 0; b < config.headDepth; b++) h = block(h, `${out}.head${b}`);
    const fmap = g.node('Reshape', [g.node('Transpose', [h], { perm: [0, 2, 1] }), g.int64s('grid_shape', [1, dim, grid, grid])]);
    const up = (t: string, cin: number, cout: number, prefix: string) =>
      g.node('ConvTranspose', [t, g.weight(`${prefix}.w`, [cin, cout, 4, 4], randn([cin, cout, 4, 4], 1 / Math.sqrt(cin))), g.weight(`${prefix}.b`, [cout], zeros(cout))], {
        kernel_shape: [4, 4],
        strides: [4, 4],
      });
    const raw = up(gelu(up(fmap, dim, config.headChannels, `${out}.up1`)), config.headChannels, channels, `${out}.up2`);
    g.output(out, out === 'uv' ? uvOutput(g, raw, config.bias) : normalsOutput(g, raw, config.bias), [1, channels, size, size]);
  }
  return { bytes: g.encode({ producer: 'pixel3dmm-web build-test-networks', metadata: config.metadata }), parameters: g.parameterCount };
}

function uvOutput(g: OnnxGraphBuilder, raw: string, bias: VitContractConfig['bias']): string {
  if (!bias) return g.node('Tanh', [raw]);
  const size = Math.sqrt(bias.uv.length / 2);
  const biased = g.node('Add', [g.node('Mul', [g.node('Tanh', [raw]), g.scalar('content_scale', bias.contentScale)]), g.weight('uv.bias', [1, 2, size, size], bias.uv)]);
  return g.node('Clip', [biased, g.scalar('uv_min', -1), g.scalar('uv_max', 1)]);
}

function normalsOutput(g: OnnxGraphBuilder, raw: string, bias: VitContractConfig['bias']): string {
  let v = raw;
  if (bias) {
    const size = Math.sqrt(bias.normals.length / 3);
    v = g.node('Add', [g.node('Mul', [g.node('Tanh', [raw]), g.scalar('content_scale', bias.contentScale)]), g.weight('normals.bias', [1, 3, size, size], bias.normals)]);
  }
  const norm = g.node('Sqrt', [g.node('Add', [g.node('ReduceSumSquare', [v], { axes: [1], keepdims: 1 }), g.scalar('eps', 1e-12)])]);
  return g.node('Div', [v, norm]);
}

/** Seeded standard normal samples (mulberry32 + Box-Muller): the same network on every build. */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}
