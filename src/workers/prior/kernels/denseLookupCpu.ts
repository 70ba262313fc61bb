/**
 * UV + normal maps → where each candidate model vertex is seen: the CPU reference of
 * `GpuDenseLookup` and the path the WASM backend takes.
 *
 * A UV-space lookup grid (G×G cells over [-1, 1]²) keeps, per cell, the face pixel whose
 * predicted UV lies closest to the cell's centre (pixels outside the face polygon are skipped).
 * Each vertex then looks at the 3×3 cells around its own UV, takes the pixel whose UV is nearest
 * to it, and refines the position to sub-pixel precision by inverting the map's local Jacobian.
 *
 * Output, per vertex: a lookup record (`DENSE_RECORD_FLOATS` in the prior worker's contract).
 */
import { DENSE_RECORD_FLOATS } from '../../priorProtocol.js';

/** Grid key: quantised distance to the cell centre (high bits) | pixel index (low 19 bits): atomicMin picks the closest. */
export const KEY_PIXEL_BITS = 19;
export const KEY_DISTANCE_SCALE = 8192;
export const MAX_LOOKUP_SIZE = Math.floor(Math.sqrt(2 ** KEY_PIXEL_BITS));
const EMPTY = 0xffffffff;

export interface DenseLookupInput {
  /** Map side, px (the network's input size). */
  size: number;
  /** [2][size][size] predicted UV in [-1, 1]. */
  uv: Float32Array;
  /** [3][size][size] predicted normals. */
  normals: Float32Array;
  /** [count][2] the candidate vertices' UVs in [-1, 1]. */
  vertexUvs: Float32Array;
  /** [points][2] the face outline in map pixels; only pixels inside it count. */
  polygon: Float32Array;
  /** Lookup grid side, cells. */
  gridSize: number;
}

const f32 = Math.fround;

export function denseLookupCpu(input: DenseLookupInput, out = new Float32Array((input.vertexUvs.length / 2) * DENSE_RECORD_FLOATS)): Float32Array {
  const { size, uv, normals, vertexUvs, polygon, gridSize: G } = input;
  if (size > MAX_LOOKUP_SIZE) throw new Error(`Maps larger than ${MAX_LOOKUP_SIZE} px are not supported`);
  const plane = size * size;
  const grid = new Uint32Array(G * G).fill(EMPTY);
  const toGrid = (value: number) => f32(f32(f32(value + 1) * 0.5) * G);
  for (let y = 0; y < size; y++) {
    // The even-odd rule per row: the outline's crossings of this row, left to right; a pixel is
    // inside when an odd number of them lie to its right (the GPU tests each pixel the same way).
    const crossings = rowCrossings(polygon, y + 0.5);
    let passed = 0;
    for (let x = 0; x < size; x++) {
      while (passed < crossings.length && crossings[passed]! <= x + 0.5) passed++;
      if ((crossings.length - passed) % 2 === 0) continue;
      const p = y * size + x, u = uv[p]!, v = uv[plane + p]!;
      if (!(Math.abs(u) <= 1 && Math.abs(v) <= 1)) continue;
      const gx = toGrid(u), gy = toGrid(v);
      const cx = Math.min(Math.floor(gx), G - 1), cy = Math.min(Math.floor(gy), G - 1);
      const dx = f32(gx - (cx + 0.5)), dy = f32(gy - (cy + 0.5));
      const q = Math.min(Math.floor(f32(f32(Math.sqrt(f32(dx * dx + dy * dy))) * KEY_DISTANCE_SCALE)), KEY_DISTANCE_SCALE - 1);
      const key = ((q << KEY_PIXEL_BITS) | p) >>> 0;
      const cell = cy * G + cx;
      if (key < grid[cell]!) grid[cell] = key;
    }
  }
  const count = vertexUvs.length / 2;
  for (let k = 0; k < count; k++) {
    const vu = vertexUvs[2 * k]!, vv = vertexUvs[2 * k + 1]!;
    const cx = Math.min(Math.max(Math.floor(toGrid(vu)), 0), G - 1), cy = Math.min(Math.max(Math.floor(toGrid(vv)), 0), G - 1);
    let best = EMPTY, bestD2 = Infinity;
    for (let oy = -1; oy <= 1; oy++) {
      for (let ox = -1; ox <= 1; ox++) {
        const gx = cx + ox, gy = cy + oy;
        if (gx < 0 || gy < 0 || gx >= G || gy >= G) continue;
        const key = grid[gy * G + gx]!;
        if (key === EMPTY) continue;
        const p = key & ((1 << KEY_PIXEL_BITS) - 1);
        const du = f32(uv[p]! - vu), dv = f32(uv[plane + p]! - vv);
        const d2 = f32(du * du + dv * dv);
        if (d2 < bestD2 || (d2 === bestD2 && p < best)) (bestD2 = d2), (best = p);
      }
    }
    const o = k * DENSE_RECORD_FLOATS;
    if (best === EMPTY) {
      out.fill(0, o, o + DENSE_RECORD_FLOATS);
      out[o] = -1;
      out[o + 1] = -1;
      continue;
    }
    const px = best % size, py = Math.floor(best / size);
    const [sx, sy] = subPixelOffset(uv, size, px, py, vu, vv);
    out[o] = px + 0.5 + sx;
    out[o + 1] = py + 0.5 + sy;
    out[o + 2] = Math.sqrt(bestD2);
    const nx = normals[best]!, ny = normals[plane + best]!, nz = normals[2 * plane + best]!;
    const len = Math.hypot(nx, ny, nz) || 1;
    out[o + 3] = nx / len;
    out[o + 4] = ny / len;
    out[o + 5] = nz / len;
  }
  return out;
}

/** Where the outline's edges cross the horizontal line at `y`, ascending (the even-odd rule's crossings). */
function rowCrossings(polygon: Float32Array, y: number): number[] {
  const out: number[] = [];
  const n = polygon.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = polygon[2 * i]!, yi = polygon[2 * i + 1]!, xj = polygon[2 * j]!, yj = polygon[2 * j + 1]!;
    if (yi > y !== yj > y) out.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The step (px, each within ±1) from pixel (px, py) to where the map reaches UV (vu, vv), by
 * the map's local Jacobian (central differences; one-sided at the border). Zero when singular.
 */
function subPixelOffset(uv: Float32Array, size: number, px: number, py: number, vu: number, vv: number): [number, number] {
  const plane = size * size;
  const at = (x: number, y: number, c: number) => uv[c * plane + y * size + x]!;
  const xl = Math.max(px - 1, 0), xr = Math.min(px + 1, size - 1), yt = Math.max(py - 1, 0), yb = Math.min(py + 1, size - 1);
  const a = (at(xr, py, 0) - at(xl, py, 0)) / (xr - xl || 1), b = (at(px, yb, 0) - at(px, yt, 0)) / (yb - yt || 1);
  const c = (at(xr, py, 1) - at(xl, py, 1)) / (xr - xl || 1), d = (at(px, yb, 1) - at(px, yt, 1)) / (yb - yt || 1);
  const det = a * d - b * c;
  if (!(Math.abs(det) > 1e-12)) return [0, 0];
  const ru = vu - at(px, py, 0), rv = vv - at(px, py, 1);
  const sx = (d * ru - b * rv) / det, sy = (a * rv - c * ru) / det;
  return Math.abs(sx) <= 1 && Math.abs(sy) <= 1 ? [sx, sy] : [0, 0];
}
