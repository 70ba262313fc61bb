import type { SurfaceEmbedding } from '../../core/model/FaceModel.js';
import { applySimilarity, fitSimilarity, type SimilarityTransform } from './similarityTransform.js';
import type { SurfacePoint, TriangleGrid } from './TriangleGrid.js';
import { quantile } from '../../core/math/quantile.js';

export interface AlignPointsOptions {
  /** Per point, the part of the surface it may land on (e.g. the face for skin landmarks, an iris for iris points). */
  regions: readonly TriangleGrid[];
  /** Starting transform from the points' frame to the surface's (e.g. fitted on a few named correspondences). */
  initial: SimilarityTransform;
  /** ICP rounds: project, then refit the similarity on the projections. 0 keeps `initial`. */
  iterations: number;
  /** Per point weight in the similarity fit (0 = projected but never steers the alignment). Default 1. */
  fitWeights?: ArrayLike<number>;
  /** Fraction of the farthest points left out of each refit, so a few bad matches cannot pull the rest. Default 0.1. */
  trim?: number;
}

export interface AlignedPoints {
  transform: SimilarityTransform;
  /** The points in the surface's frame, packed xyz. */
  aligned: Float64Array;
  /** Each aligned point's closest point on its region (distance in surface units). */
  hits: SurfacePoint[];
}

/**
 * Rigidly aligns a point set (with scale) to a surface by closest-point ICP (Besl & McKay 1992)
 * and projects each point onto its region: the core of a landmark embedding. `points` is packed xyz.
 */
export function alignPointsToSurface(points: ArrayLike<number>, options: AlignPointsOptions): AlignedPoints {
  const count = points.length / 3;
  if (options.regions.length !== count) throw new Error('alignPointsToSurface: one region per point');
  const trim = options.trim ?? 0.1;
  let transform = options.initial;
  let aligned = applySimilarity(transform, points);
  let hits = project(aligned, options.regions);
  for (let it = 0; it < options.iterations; it++) {
    const target = hitPositions(hits, options.regions);
    const cutoff = quantile(hits.map((h) => h.distance), 1 - trim);
    const weights = Float64Array.from(hits, (h, i) => (h.distance <= cutoff ? (options.fitWeights ? options.fitWeights[i]! : 1) : 0));
    // Refit from the original points to the projections of the current alignment.
    transform = fitSimilarity(points, target, weights);
    aligned = applySimilarity(transform, points);
    hits = project(aligned, options.regions);
  }
  return { transform, aligned, hits };
}

/** The hits as an embedding: triangle corner vertices and barycentric weights. */
export function hitsToEmbedding(hits: readonly SurfacePoint[], triangles: ArrayLike<number>): SurfaceEmbedding {
  const vertices = new Uint32Array(hits.length * 3);
  const weights = new Float32Array(hits.length * 3);
  hits.forEach((h, i) => {
    for (let k = 0; k < 3; k++) vertices[3 * i + k] = triangles[3 * h.triangle + k]!;
    weights.set([h.wa, h.wb, h.wc], 3 * i);
  });
  return { vertices, weights };
}

function project(aligned: Float64Array, regions: readonly TriangleGrid[]): SurfacePoint[] {
  return regions.map((grid, i) => grid.closest(aligned, i));
}

/** Where the hits lie, packed xyz. */
function hitPositions(hits: readonly SurfacePoint[], regions: readonly TriangleGrid[]): Float64Array {
  const out = new Float64Array(hits.length * 3);
  hits.forEach((h, i) => regions[i]!.locate(h, out, i));
  return out;
}

