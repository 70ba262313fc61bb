import type { PixelRect } from '../../core/image/cropGeometry.js';
import type { RgbaRegion } from './kernels/preprocessCropCpu.js';

/** RGBA8 pixels of `rect` of a frame, through a 2D canvas (the CPU path's copy of the crop). */
export function readFrameRegion(frame: VideoFrame | ImageBitmap, rect: PixelRect): RgbaRegion {
  const canvas = new OffscreenCanvas(rect.width, rect.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('No 2D canvas context in this worker');
  ctx.drawImage(frame, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
  return { data: ctx.getImageData(0, 0, rect.width, rect.height).data, rect };
}
