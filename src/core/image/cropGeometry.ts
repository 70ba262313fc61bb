/**
 * Geometry shared by the GPU kernels and their CPU references: the square face crop a prior
 * network sees, and the part of the frame that has to be read to resample it.
 */

import type { FaceCrop } from './FaceCropTracker.js';

export type { FaceCrop };

/** A pixel rectangle of the frame: integer origin and size, inside the frame. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Samples per axis and output pixel: enough to cover the footprint when shrinking (box prefilter), at most 4. */
export function cropTaps(crop: FaceCrop, outputSize: number): number {
  return Math.min(4, Math.max(1, Math.ceil(crop.size / outputSize - 1e-6)));
}

/**
 * The frame pixels that bilinear samples inside `crop` touch (one pixel of margin), clipped to
 * the frame; null when the crop misses the frame entirely.
 */
export function cropSourceRect(crop: FaceCrop, frameWidth: number, frameHeight: number): PixelRect | null {
  const x0 = Math.max(0, Math.floor(crop.x) - 1), y0 = Math.max(0, Math.floor(crop.y) - 1);
  const x1 = Math.min(frameWidth, Math.ceil(crop.x + crop.size) + 1), y1 = Math.min(frameHeight, Math.ceil(crop.y + crop.size) + 1);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** A point in network-input pixels (0..outputSize, continuous) to frame pixels. */
export function cropToFrame(crop: FaceCrop, outputSize: number, px: number, py: number): [number, number] {
  const scale = crop.size / outputSize;
  return [crop.x + px * scale, crop.y + py * scale];
}

/** A point in frame pixels to network-input pixels. */
export function frameToCrop(crop: FaceCrop, outputSize: number, fx: number, fy: number): [number, number] {
  const scale = outputSize / crop.size;
  return [(fx - crop.x) * scale, (fy - crop.y) * scale];
}
