/**
 * Crop → resize → normalize on the CPU: the reference for `GpuCropPreprocessor` and the path the
 * WASM backend takes. Output: the network input [3][size][size] (RGB planes), ImageNet mean/std.
 *
 * Resampling: each output pixel averages taps×taps bilinear samples spread over its footprint
 * (a box prefilter, so shrinking a large face does not alias). Pixel centres sit at k + 0.5.
 * Outside the frame the image is black.
 */
import { cropTaps, type FaceCrop, type PixelRect } from '../../../core/image/cropGeometry.js';

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** RGBA8 pixels of a rectangle of the frame (`rect` in frame px), row-major. */
export interface RgbaRegion {
  data: Uint8Array | Uint8ClampedArray;
  rect: PixelRect;
}

export function preprocessCropCpu(region: RgbaRegion, crop: FaceCrop, size: number, mirror = false, out = new Float32Array(3 * size * size)): Float32Array {
  const { data, rect } = region;
  const taps = cropTaps(crop, size), scale = crop.size / size, plane = size * size, n = taps * taps;
  // The crop's corner relative to the region, minus half a texel: small numbers, as on the GPU (f32).
  // Sample positions are separable: per output column and tap, and per output row and tap.
  const xs = samplePositions(crop.x - rect.x - 0.5, scale, size, taps);
  const ys = samplePositions(crop.y - rect.y - 0.5, scale, size, taps);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const srcCol = mirror ? size - 1 - col : col;
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < taps; j++) {
        const y0 = ys.first[row * taps + j]!, ay = ys.frac[row * taps + j]!;
        for (let i = 0; i < taps; i++) {
          const x0 = xs.first[srcCol * taps + i]!, ax = xs.frac[srcCol * taps + i]!;
          for (let k = 0; k < 4; k++) {
            const x = x0 + (k & 1), y = y0 + (k >> 1);
            if (x < 0 || y < 0 || x >= rect.width || y >= rect.height) continue;
            const w = (k & 1 ? ax : 1 - ax) * (k >> 1 ? ay : 1 - ay);
            const p = 4 * (y * rect.width + x);
            r += (w * data[p]!) / 255;
            g += (w * data[p + 1]!) / 255;
            b += (w * data[p + 2]!) / 255;
          }
        }
      }
      const k = row * size + col;
      out[k] = (r / n - IMAGENET_MEAN[0]) / IMAGENET_STD[0];
      out[plane + k] = (g / n - IMAGENET_MEAN[1]) / IMAGENET_STD[1];
      out[2 * plane + k] = (b / n - IMAGENET_MEAN[2]) / IMAGENET_STD[2];
    }
  }
  return out;
}

/** Texel coordinates (texel centres at integers) of the taps of each output pixel along one axis: integer part and fraction. */
function samplePositions(offset: number, scale: number, size: number, taps: number): { first: Int32Array; frac: Float64Array } {
  const first = new Int32Array(size * taps), frac = new Float64Array(size * taps);
  for (let o = 0; o < size; o++) {
    for (let t = 0; t < taps; t++) {
      const pos = offset + (o + (t + 0.5) / taps) * scale;
      first[o * taps + t] = Math.floor(pos);
      frac[o * taps + t] = pos - Math.floor(pos);
    }
  }
  return { first, frac };
}
