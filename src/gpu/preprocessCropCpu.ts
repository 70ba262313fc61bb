/**
 * Crop → resize → normalize on the CPU: the reference for `GpuCropPreprocessor` and the path the
 * WASM backend takes. Output: the network input [3][size][size] (RGB planes), ImageNet mean/std.
 *
 * Resampling: each output pixel averages taps×taps bilinear samples spread over its footprint
 * (a box prefilter, so shrinking a large face does not alias). Pixel centres sit at k + 0.5.
 * Outside the frame the image is black.
 */
import { cropTaps, type FaceCrop, type PixelRect } from './cropGeometry.js';

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** RGBA8 pixels of a rectangle of the frame (`rect` in frame px), row-major. */
export interface RgbaRegion {
  data: Uint8Array | Uint8ClampedArray;
  rect: PixelRect;
}

export function preprocessCropCpu(region: RgbaRegion, crop: FaceCrop, size: number, mirror = false, out = new Float32Array(3 * size * size)): Float32Array {
  const { data, rect } = region;
  const taps = cropTaps(crop, size), scale = crop.size / size, plane = size * size;
  // The crop's corner relative to the region, minus half a texel: small numbers, as on the GPU (f32).
  const offsetX = crop.x - rect.x - 0.5, offsetY = crop.y - rect.y - 0.5;
  const rgb = [0, 0, 0];
  const addTexel = (x: number, y: number, w: number) => {
    if (x < 0 || y < 0 || x >= rect.width || y >= rect.height || w === 0) return;
    const i = 4 * (y * rect.width + x);
    rgb[0]! += (w * data[i]!) / 255;
    rgb[1]! += (w * data[i + 1]!) / 255;
    rgb[2]! += (w * data[i + 2]!) / 255;
  };
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const srcCol = mirror ? size - 1 - col : col;
      rgb[0] = rgb[1] = rgb[2] = 0;
      for (let j = 0; j < taps; j++) {
        for (let i = 0; i < taps; i++) {
          // Texel coordinates of the sample (texel centres at integers).
          const tx = offsetX + (srcCol + (i + 0.5) / taps) * scale;
          const ty = offsetY + (row + (j + 0.5) / taps) * scale;
          const x0 = Math.floor(tx), y0 = Math.floor(ty), ax = tx - x0, ay = ty - y0;
          addTexel(x0, y0, (1 - ax) * (1 - ay));
          addTexel(x0 + 1, y0, ax * (1 - ay));
          addTexel(x0, y0 + 1, (1 - ax) * ay);
          addTexel(x0 + 1, y0 + 1, ax * ay);
        }
      }
      const k = row * size + col, n = taps * taps;
      for (let c = 0; c < 3; c++) out[c * plane + k] = (rgb[c]! / n - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
    }
  }
  return out;
}
