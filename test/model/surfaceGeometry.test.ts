import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignPointsToSurface, hitsToEmbedding } from '../../src/authoring/geometry/alignPointsToSurface.js';
import { closestPointOnTriangle } from '../../src/authoring/geometry/closestPointOnTriangle.js';
import { parseObj, splitAtUvSeams } from '../../src/authoring/geometry/parseObj.js';
import { applySimilarity, fitSimilarity, type SimilarityTransform } from '../../src/authoring/geometry/similarityTransform.js';
import { TriangleGrid } from '../../src/authoring/geometry/TriangleGrid.js';
import { axisAngleToMatrix } from '../../src/core/math/rotation.js';

/** mulberry32: reproducible pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** MediaPipe's canonical face (cm) as a triangle mesh: a real, curved test surface. */
function canonicalFace(): { positions: Float32Array; triangles: Uint32Array } {
  const obj = parseObj(readFileSync(new URL('../../models/mediapipe/face_model_with_iris.obj', import.meta.url), 'utf8'));
  const { triangles, sourceVertex } = splitAtUvSeams(obj);
  return { positions: obj.positions, triangles: Uint32Array.from(triangles, (v) => sourceVertex[v]!) };
}

const point = (positions: ArrayLike<number>, triangles: ArrayLike<number>, t: number, w: [number, number, number]) =>
  [0, 1, 2].map((c) => w.reduce((s, wk, k) => s + wk * positions[3 * triangles[3 * t + k]! + c]!, 0));

describe('closestPointOnTriangle', () => {
  it('finds the nearest point of the triangle (checked against a dense barycentric sampling)', () => {
    const rnd = random(1);
    for (let trial = 0; trial < 200; trial++) {
      const positions = Float64Array.from({ length: 9 }, () => rnd() * 2 - 1);
      const p = Float64Array.from({ length: 3 }, () => rnd() * 4 - 2);
      const hit = closestPointOnTriangle(p, 0, positions, 0, 1, 2);
      expect(Math.min(hit.wa, hit.wb, hit.wc)).toBeGreaterThanOrEqual(0);
      expect(hit.wa + hit.wb + hit.wc).toBeCloseTo(1, 12);
      const q = point(positions, [0, 1, 2], 0, [hit.wa, hit.wb, hit.wc]);
      expect(Math.hypot(q[0]! - p[0]!, q[1]! - p[1]!, q[2]! - p[2]!) ** 2).toBeCloseTo(hit.distanceSq, 10);
      let best = Infinity;
      const steps = 60;
      for (let i = 0; i <= steps; i++) {
        for (let j = 0; i + j <= steps; j++) {
          const s = point(positions, [0, 1, 2], 0, [1 - (i + j) / steps, i / steps, j / steps]);
          best = Math.min(best, Math.hypot(s[0]! - p[0]!, s[1]! - p[1]!, s[2]! - p[2]!));
        }
      }
      expect(Math.sqrt(hit.distanceSq)).toBeLessThanOrEqual(best + 1e-12);
    }
  });
});

describe('TriangleGrid', () => {
  it('finds the same nearest distance as a search over every triangle, inside and far outside the mesh', () => {
    const { positions, triangles } = canonicalFace();
    const grid = new TriangleGrid(positions, triangles);
    const rnd = random(2);
    for (let trial = 0; trial < 100; trial++) {
      const spread = trial < 80 ? 10 : 60;
      const q = Float64Array.from({ length: 3 }, (_, c) => (rnd() * 2 - 1) * spread + (c === 2 ? 3 : 0));
      let best = Infinity;
      for (let t = 0; t < triangles.length / 3; t++) {
        best = Math.min(best, closestPointOnTriangle(q, 0, positions, triangles[3 * t]!, triangles[3 * t + 1]!, triangles[3 * t + 2]!).distanceSq);
      }
      const hit = grid.closest(q, 0);
      expect(hit.distance).toBeCloseTo(Math.sqrt(best), 9);
      const located = new Float64Array(3);
      grid.locate(hit, located, 0);
      expect(Math.hypot(located[0]! - q[0]!, located[1]! - q[1]!, located[2]! - q[2]!)).toBeCloseTo(hit.distance, 9);
    }
  });

  it('only returns triangles it was given', () => {
    const { positions, triangles } = canonicalFace();
    const subset = Uint32Array.from({ length: 50 }, (_, i) => 2 * i);
    const grid = new TriangleGrid(positions, triangles, subset);
    const rnd = random(3);
    for (let trial = 0; trial < 50; trial++) {
      const q = Float64Array.from({ length: 3 }, () => rnd() * 16 - 8);
      expect(subset).toContain(grid.closest(q, 0).triangle);
    }
  });
});

describe('fitSimilarity', () => {
  it('recovers a known scale, rotation and translation', () => {
    const rnd = random(4);
    const truth: SimilarityTransform = { scale: 1.7, rotation: axisAngleToMatrix(0.3, -1.1, 0.5), translation: Float64Array.of(2, -3, 0.5) };
    const src = Float64Array.from({ length: 30 }, () => rnd() * 10 - 5);
    const fit = fitSimilarity(src, applySimilarity(truth, src));
    expect(fit.scale).toBeCloseTo(1.7, 9);
    fit.rotation.forEach((v, i) => expect(v).toBeCloseTo(truth.rotation[i]!, 9));
    fit.translation.forEach((v, i) => expect(v).toBeCloseTo(truth.translation[i]!, 9));
  });

  it('ignores points of weight 0', () => {
    const src = Float64Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5, 5, 5);
    const dst = Float64Array.of(1, 1, 1, 3, 1, 1, 1, 3, 1, 1, 1, 3, -40, 7, 2);
    const fit = fitSimilarity(src, dst, [1, 1, 1, 1, 0]);
    expect(fit.scale).toBeCloseTo(2, 9);
    expect(Array.from(fit.translation, (v) => +v.toFixed(9))).toEqual([1, 1, 1]);
  });
});

describe('alignPointsToSurface', () => {
  it('undoes a similarity of points sampled on a surface by ICP from a rough start, and embeds them where they were sampled', () => {
    const { positions, triangles } = canonicalFace();
    const grid = new TriangleGrid(positions, triangles);
    const rnd = random(5);
    const count = 300;
    const truthHits = Array.from({ length: count }, () => {
      const a = rnd(), b = rnd() * (1 - a);
      return { triangle: Math.floor(rnd() * (triangles.length / 3)), w: [a, b, 1 - a - b] as [number, number, number] };
    });
    const onSurface = Float64Array.from(truthHits.flatMap((h) => point(positions, triangles, h.triangle, h.w)));
    // The points as another model would have them: scaled, turned and moved.
    const toPoints: SimilarityTransform = { scale: 0.8, rotation: axisAngleToMatrix(0.05, 0.2, -0.1), translation: Float64Array.of(1, -2, 3) };
    const points = applySimilarity(toPoints, onSurface);
    // A start about 5% and 3° off the inverse.
    const rough = fitSimilarity(points, onSurface);
    rough.scale *= 1.05;
    rough.rotation = Float64Array.from(multiply(axisAngleToMatrix(0, 0.05, 0), rough.rotation));

    const regions = new Array<TriangleGrid>(count).fill(grid);
    const start = alignPointsToSurface(points, { regions, initial: rough, iterations: 0 });
    const fit = alignPointsToSurface(points, { regions, initial: rough, iterations: 40 });
    const worst = (hits: { distance: number }[]) => Math.max(...hits.map((h) => h.distance));
    // Point-to-point ICP slides slowly along the surface: from about 8 mm to under 0.6 mm here.
    expect(worst(start.hits)).toBeGreaterThan(0.5);
    expect(worst(fit.hits)).toBeLessThan(0.06);
    expect(fit.transform.scale).toBeCloseTo(1 / 0.8, 2);
    // Each point lands within 1 mm of where it was sampled, as an embedding of mesh vertices.
    const embedding = hitsToEmbedding(fit.hits, triangles);
    let worstLanding = 0;
    for (let i = 0; i < count; i++) {
      const landed = [0, 1, 2].map((c) => [0, 1, 2].reduce((s, k) => s + embedding.weights[3 * i + k]! * positions[3 * embedding.vertices[3 * i + k]! + c]!, 0));
      worstLanding = Math.max(worstLanding, Math.hypot(...landed.map((v, c) => v - onSurface[3 * i + c]!)));
    }
    expect(worstLanding).toBeLessThan(0.1);
  });
});

function multiply(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return Array.from({ length: 9 }, (_, i) => [0, 1, 2].reduce((s, k) => s + a[3 * Math.floor(i / 3) + k]! * b[3 * k + (i % 3)]!, 0));
}
