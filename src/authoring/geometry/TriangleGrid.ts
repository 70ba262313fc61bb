import { closestPointOnTriangle, type TrianglePoint } from './closestPointOnTriangle.js';

/** A point on a mesh: a triangle and the barycentric weights of its three corners. */
export interface SurfacePoint {
  triangle: number;
  wa: number;
  wb: number;
  wc: number;
  /** Distance from the query point, input units. */
  distance: number;
}

/**
 * A uniform grid over some triangles of a mesh for closest-point queries: each cell lists the
 * triangles whose bounding boxes overlap it, and a query searches rings of cells outwards until
 * no unvisited cell can hold anything nearer.
 */
export class TriangleGrid {
  private readonly positions: ArrayLike<number>;
  private readonly triangles: ArrayLike<number>;
  private readonly origin: [number, number, number];
  private readonly cellSize: number;
  private readonly dims: [number, number, number];
  private readonly cells = new Map<number, number[]>();
  private readonly scratch: TrianglePoint = { wa: 1, wb: 0, wc: 0, distanceSq: 0 };

  /**
   * @param positions packed xyz of the mesh's vertices
   * @param triangles packed vertex-index triples of the mesh
   * @param triangleIds the triangles to index (all when omitted)
   */
  constructor(positions: ArrayLike<number>, triangles: ArrayLike<number>, triangleIds?: ArrayLike<number>) {
    this.positions = positions;
    this.triangles = triangles;
    const ids = triangleIds ?? Uint32Array.from({ length: triangles.length / 3 }, (_, t) => t);
    if (ids.length === 0) throw new Error('TriangleGrid: no triangles to index');
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    let extentSum = 0;
    for (let i = 0; i < ids.length; i++) {
      const [tlo, thi] = this.bounds(ids[i]!);
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c]!, tlo[c]!);
        hi[c] = Math.max(hi[c]!, thi[c]!);
        extentSum += thi[c]! - tlo[c]!;
      }
    }
    // Cells about twice a typical triangle: few triangles per cell, few cells per triangle.
    this.cellSize = Math.max((2 * extentSum) / (3 * ids.length), 1e-9);
    this.origin = [lo[0]!, lo[1]!, lo[2]!];
    this.dims = [0, 1, 2].map((c) => Math.max(1, Math.ceil((hi[c]! - lo[c]!) / this.cellSize))) as [number, number, number];
    for (let i = 0; i < ids.length; i++) {
      const t = ids[i]!;
      const [tlo, thi] = this.bounds(t);
      const a = tlo.map((v, c) => this.cellCoord(v, c));
      const b = thi.map((v, c) => this.cellCoord(v, c));
      for (let z = a[2]!; z <= b[2]!; z++)
        for (let y = a[1]!; y <= b[1]!; y++)
          for (let x = a[0]!; x <= b[0]!; x++) {
            const key = this.key(x, y, z);
            const list = this.cells.get(key);
            if (list) list.push(t);
            else this.cells.set(key, [t]);
          }
    }
  }

  /** The nearest point on the indexed triangles to point `pi` of packed xyz `points`. */
  closest(points: ArrayLike<number>, pi: number): SurfacePoint {
    const best: SurfacePoint = { triangle: -1, wa: 1, wb: 0, wc: 0, distance: Infinity };
    let bestSq = Infinity;
    const center = [0, 1, 2].map((c) => this.cellCoord(points[3 * pi + c]!, c));
    const maxRing = Math.max(...this.dims);
    for (let r = 0; r <= maxRing; r++) {
      // Every cell of ring r (Chebyshev distance r from the centre cell) is at least (r - 1) cells away.
      const bound = Math.max(0, r - 1) * this.cellSize;
      if (bound * bound > bestSq) break;
      bestSq = this.searchRing(points, pi, center, r, best, bestSq);
    }
    best.distance = Math.sqrt(bestSq);
    return best;
  }

  /** Writes the position of `hit` (a point on this grid's mesh) to point `index` of packed xyz `out`. */
  locate(hit: SurfacePoint, out: Float32Array | Float64Array, index: number): void {
    const t = hit.triangle;
    for (let c = 0; c < 3; c++) {
      out[3 * index + c] =
        hit.wa * this.positions[3 * this.triangles[3 * t]! + c]! +
        hit.wb * this.positions[3 * this.triangles[3 * t + 1]! + c]! +
        hit.wc * this.positions[3 * this.triangles[3 * t + 2]! + c]!;
    }
  }

  /** Tests the triangles of ring r's cells (Chebyshev distance r from `center`) against point `pi`, improving `best`; returns the best squared distance. */
  private searchRing(points: ArrayLike<number>, pi: number, center: number[], r: number, best: SurfacePoint, bestSq: number): number {
    const [cx, cy, cz] = center as [number, number, number];
    const [nx, ny, nz] = this.dims;
    for (let z = Math.max(0, cz - r); z <= Math.min(nz - 1, cz + r); z++)
      for (let y = Math.max(0, cy - r); y <= Math.min(ny - 1, cy + r); y++) {
        // Inside the shell's z and y faces only the two x ends belong to the ring.
        const onFace = Math.abs(z - cz) === r || Math.abs(y - cy) === r;
        const step = onFace || r === 0 ? 1 : 2 * r;
        for (let x = cx - r; x <= cx + r; x += step) {
          if (x < 0 || x >= nx) continue;
          const list = this.cells.get(this.key(x, y, z));
          if (!list) continue;
          for (const t of list) {
            const hit = closestPointOnTriangle(points, pi, this.positions, this.triangles[3 * t]!, this.triangles[3 * t + 1]!, this.triangles[3 * t + 2]!, this.scratch);
            if (hit.distanceSq < bestSq) {
              bestSq = hit.distanceSq;
              best.triangle = t;
              best.wa = hit.wa;
              best.wb = hit.wb;
              best.wc = hit.wc;
            }
          }
        }
      }
    return bestSq;
  }

  private bounds(t: number): [number[], number[]] {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let k = 0; k < 3; k++) {
      const v = this.triangles[3 * t + k]!;
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c]!, this.positions[3 * v + c]!);
        hi[c] = Math.max(hi[c]!, this.positions[3 * v + c]!);
      }
    }
    return [lo, hi];
  }

  /** Cell index along axis c, clamped to the grid (a point outside searches from the nearest cell). */
  private cellCoord(value: number, c: number): number {
    return Math.min(this.dims[c]! - 1, Math.max(0, Math.floor((value - this.origin[c]!) / this.cellSize)));
  }

  private key(x: number, y: number, z: number): number {
    return x + this.dims[0] * (y + this.dims[1] * z);
  }
}
