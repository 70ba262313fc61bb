/**
 * Crop → resize → normalize on the GPU, straight from a VideoFrame (or ImageBitmap): the crop's
 * pixels are copied into a texture with `copyExternalImageToTexture` (only the part of the frame
 * the crop touches), then a compute kernel writes the network input [3][size][size] (ImageNet
 * mean/std) into a storage buffer that ONNX Runtime takes as a GPU tensor. Same math as
 * `preprocessCropCpu`, its reference.
 *
 * Where the browser cannot copy from a VideoFrame (e.g. Chromium on SwiftShader), the crop's
 * rectangle goes through `createImageBitmap` first: one extra copy of the crop, not of the frame.
 * A VideoFrame that carries a rotation or a mirror (a phone's camera, a rotated file) is drawn
 * through a 2D canvas instead: both GPU copies read its stored picture, not the displayed one in
 * whose pixels the crop (like MediaPipe's points) is given.
 */
import { cropSourceRect, cropTaps, type FaceCrop, type PixelRect } from '../../../core/image/cropGeometry.js';
import { IMAGENET_MEAN, IMAGENET_STD } from './preprocessCropCpu.js';
import { BufferUsage, SHADER_STAGE_COMPUTE, TextureUsage, type GpuBindGroupLayout, type GpuBuffer, type GpuComputePipeline, type GpuDevice, type GpuExternalImage, type GpuTexture } from './webgpuTypes.js';

const vec3 = (v: readonly number[]) => `vec3<f32>(${v.map((x) => x.toFixed(6)).join(', ')})`;

const SHADER = /* wgsl */ `
struct Params {
  cropOffset: vec2<f32>,  // crop corner − region origin − half a texel, texels
  regionSize: vec2<i32>,  // texels of the frame copied into the texture
  cropSize: f32,          // crop side, frame px
  outSize: u32,
  taps: u32,
  mirror: u32,
}
@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> tensor: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

fn texel(x: i32, y: i32) -> vec3<f32> {
  if (x < 0 || y < 0 || x >= p.regionSize.x || y >= p.regionSize.y) { return vec3<f32>(0.0); }
  return textureLoad(source, vec2<i32>(x, y), 0).rgb;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let size = p.outSize;
  if (id.x >= size || id.y >= size) { return; }
  let srcCol = select(id.x, size - 1u - id.x, p.mirror == 1u);
  let scale = p.cropSize / f32(size);
  let taps = f32(p.taps);
  var sum = vec3<f32>(0.0);
  for (var j = 0u; j < p.taps; j++) {
    for (var i = 0u; i < p.taps; i++) {
      let t = p.cropOffset + (vec2<f32>(f32(srcCol), f32(id.y)) + (vec2<f32>(f32(i), f32(j)) + 0.5) / taps) * scale;
      let t0 = floor(t);
      let a = t - t0;
      let x0 = i32(t0.x);
      let y0 = i32(t0.y);
      sum += texel(x0, y0) * ((1.0 - a.x) * (1.0 - a.y)) + texel(x0 + 1, y0) * (a.x * (1.0 - a.y))
           + texel(x0, y0 + 1) * ((1.0 - a.x) * a.y) + texel(x0 + 1, y0 + 1) * (a.x * a.y);
    }
  }
  let rgb = (sum / (taps * taps) - ${vec3(IMAGENET_MEAN)}) / ${vec3(IMAGENET_STD)};
  let plane = size * size;
  let k = id.y * size + id.x;
  tensor[k] = rgb.r;
  tensor[plane + k] = rgb.g;
  tensor[2u * plane + k] = rgb.b;
}`;

/** A network input buffer and whether it receives the mirrored crop (test-time augmentation). */
export interface PreprocessTarget {
  buffer: GpuBuffer;
  mirror: boolean;
}

export class GpuCropPreprocessor {
  private readonly pipeline: GpuComputePipeline;
  private readonly layout: GpuBindGroupLayout;
  /** One uniform buffer per target slot: plain and mirrored. */
  private readonly params: GpuBuffer[];
  private texture?: GpuTexture;
  /** How VideoFrames reach the texture: unknown until the first one. */
  private videoFrameCopy: 'unknown' | 'direct' | 'via-bitmap' = 'unknown';
  /** Where reoriented frames are drawn upright (made on the first). */
  private uprightCanvas?: OffscreenCanvas;

  constructor(
    private readonly device: GpuDevice,
    /** Network input side, px. */
    readonly size: number,
  ) {
    this.layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: SHADER_STAGE_COMPUTE, texture: { sampleType: 'unfilterable-float' } },
        { binding: 1, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'storage' } },
        { binding: 2, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform' } },
      ],
    });
    this.pipeline = device.createComputePipeline({
      label: 'crop-preprocess',
      layout: device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
      compute: { module: device.createShaderModule({ code: SHADER, label: 'crop-preprocess' }), entryPoint: 'main' },
    });
    this.params = [0, 1].map(() => device.createBuffer({ size: 48, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST }));
  }

  /**
   * Copies the crop's frame pixels and queues the kernels writing each target. The image may be
   * closed once this resolves. Resolves false when the crop misses the frame.
   */
  async run(image: GpuExternalImage, frameWidth: number, frameHeight: number, crop: FaceCrop, targets: PreprocessTarget[]): Promise<boolean> {
    const rect = cropSourceRect(crop, frameWidth, frameHeight);
    if (!rect) return false;
    if (targets.length > this.params.length) throw new Error('At most two preprocessing targets (plain and mirrored)');
    const texture = this.textureFor(rect.width, rect.height);
    await this.copyRegion(image, rect, texture);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline);
    targets.forEach((target, slot) => {
      const params = new ArrayBuffer(48), f = new Float32Array(params), i = new Int32Array(params), u = new Uint32Array(params);
      f[0] = crop.x - rect.x - 0.5;
      f[1] = crop.y - rect.y - 0.5;
      i[2] = rect.width;
      i[3] = rect.height;
      f[4] = crop.size;
      u[5] = this.size;
      u[6] = cropTaps(crop, this.size);
      u[7] = target.mirror ? 1 : 0;
      this.device.queue.writeBuffer(this.params[slot]!, 0, params);
      pass.setBindGroup(
        0,
        this.device.createBindGroup({
          layout: this.layout,
          entries: [
            { binding: 0, resource: texture.createView() },
            { binding: 1, resource: { buffer: target.buffer } },
            { binding: 2, resource: { buffer: this.params[slot]! } },
          ],
        }),
      );
      pass.dispatchWorkgroups(Math.ceil(this.size / 8), Math.ceil(this.size / 8));
    });
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    return true;
  }

  dispose(): void {
    this.texture?.destroy();
    this.texture = undefined;
    for (const b of this.params) b.destroy();
  }

  private async copyRegion(image: GpuExternalImage, rect: PixelRect, texture: GpuTexture): Promise<void> {
    const size = { width: rect.width, height: rect.height };
    const isVideoFrame = typeof VideoFrame !== 'undefined' && image instanceof VideoFrame;
    if (isVideoFrame && isReoriented(image)) {
      this.device.queue.copyExternalImageToTexture({ source: this.drawUpright(image, rect) }, { texture }, size);
      return;
    }
    if (!isVideoFrame || this.videoFrameCopy !== 'via-bitmap') {
      try {
        this.device.queue.copyExternalImageToTexture({ source: image, origin: { x: rect.x, y: rect.y } }, { texture }, size);
        if (isVideoFrame) this.videoFrameCopy = 'direct';
        return;
      } catch (error) {
        if (!isVideoFrame || this.videoFrameCopy === 'direct') throw error;
        this.videoFrameCopy = 'via-bitmap';
      }
    }
    const bitmap = await createImageBitmap(image, rect.x, rect.y, rect.width, rect.height);
    try {
      this.device.queue.copyExternalImageToTexture({ source: bitmap }, { texture }, size);
    } finally {
      bitmap.close();
    }
  }

  /** `rect` of the frame as displayed, drawn onto a canvas kept for the next frame (grown, never shrunk). */
  private drawUpright(frame: VideoFrame, rect: PixelRect): OffscreenCanvas {
    const canvas = (this.uprightCanvas ??= new OffscreenCanvas(rect.width, rect.height));
    if (canvas.width < rect.width || canvas.height < rect.height) [canvas.width, canvas.height] = [Math.max(canvas.width, rect.width), Math.max(canvas.height, rect.height)];
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas context in this worker');
    ctx.drawImage(frame, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
    return canvas;
  }

  /** The source texture, grown (never shrunk) to hold a width × height region. */
  private textureFor(width: number, height: number): GpuTexture {
    if (this.texture && this.texture.width >= width && this.texture.height >= height) return this.texture;
    const w = Math.max(width, this.texture?.width ?? 0), h = Math.max(height, this.texture?.height ?? 0);
    this.texture?.destroy();
    this.texture = this.device.createTexture({
      size: { width: w, height: h },
      format: 'rgba8unorm',
      usage: TextureUsage.COPY_DST | TextureUsage.TEXTURE_BINDING | TextureUsage.RENDER_ATTACHMENT,
      label: 'crop-source',
    });
    return this.texture;
  }
}

/** Whether a VideoFrame is displayed turned or mirrored (WebCodecs' `rotation` / `flip`; absent in browsers without them). */
function isReoriented(frame: VideoFrame): boolean {
  const { rotation, flip } = frame as VideoFrame & { rotation?: number; flip?: boolean };
  return Boolean(rotation) || Boolean(flip);
}
