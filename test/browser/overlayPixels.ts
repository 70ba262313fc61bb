/** Pixels of the `track` command's overlays (PNG, MP4) and of source frames, decoded with ffmpeg, and the measures the overlay tests read. */
import { execFileSync } from 'node:child_process';

export interface RgbImage {
  width: number;
  height: number;
  /** RGB, 8 bits a channel, row-major. */
  rgb: Uint8Array;
}

/** Frames `indices` (0-based, presentation order) of a video or the one image of a PNG, as RGB. */
export function decodeFrames(file: string, width: number, height: number, indices: number[] = [0]): RgbImage[] {
  const select = indices.map((i) => `eq(n\\,${i})`).join('+');
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `select='${select}'`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const size = width * height * 3;
  expectLength(raw.length, size * indices.length, file);
  return indices.map((_, k) => ({ width, height, rgb: new Uint8Array(raw.buffer, raw.byteOffset + k * size, size) }));
}

function expectLength(actual: number, expected: number, file: string): void {
  if (actual !== expected) throw new Error(`${file}: decoded ${actual} bytes, expected ${expected}`);
}

/** A box in pixels, [x0, x1) × [y0, y1). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The fraction of the box's pixels that are tinted blue (more blue than red): skin never is, the mesh's colour is. */
export function blueFraction(image: RgbImage, box: Box): number {
  let blue = 0, count = 0;
  forEachPixel(image, box, (i) => {
    count++;
    if (image.rgb[i + 2]! > image.rgb[i]!) blue++;
  });
  return blue / count;
}

/** Mean absolute difference of two images over the box, per channel, 0–255. */
export function meanAbsDifference(a: RgbImage, b: RgbImage, box: Box): number {
  let sum = 0, count = 0;
  forEachPixel(a, box, (i) => {
    for (let c = 0; c < 3; c++) sum += Math.abs(a.rgb[i + c]! - b.rgb[i + c]!);
    count += 3;
  });
  return sum / count;
}

/**
 * The least-squares slope of `overlay`'s luminance on `source`'s over the box: 1 where the
 * overlay left the frame as it was, 0 where it covered it opaquely, 1 − opacity for a blend.
 */
export function luminanceSlope(overlay: RgbImage, source: RgbImage, box: Box): number {
  const lum = (img: RgbImage, i: number) => 0.299 * img.rgb[i]! + 0.587 * img.rgb[i + 1]! + 0.114 * img.rgb[i + 2]!;
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  forEachPixel(overlay, box, (i) => {
    const x = lum(source, i), y = lum(overlay, i);
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  });
  return (sxy - (sx * sy) / n) / (sxx - (sx * sx) / n);
}

function forEachPixel(image: RgbImage, box: Box, visit: (offset: number) => void): void {
  for (let y = Math.max(0, Math.floor(box.y0)); y < Math.min(image.height, box.y1); y++)
    for (let x = Math.max(0, Math.floor(box.x0)); x < Math.min(image.width, box.x1); x++) visit(3 * (y * image.width + x));
}

/** The bounding box of flat [x0, y0, x1, …] points, shrunk (or grown) about its centre by `scale`. */
export function pointsBox(points: number[], scale = 1): Box {
  const xs = points.filter((_, i) => i % 2 === 0), ys = points.filter((_, i) => i % 2 === 1);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const hw = ((Math.max(...xs) - Math.min(...xs)) * scale) / 2, hh = ((Math.max(...ys) - Math.min(...ys)) * scale) / 2;
  return { x0: cx - hw, x1: cx + hw, y0: cy - hh, y1: cy + hh };
}
