import type { FaceModel } from '../../../core/model/FaceModel.js';

/** The fitting-region vertices the prior looks up, spread evenly over UV space, and their UVs in [-1, 1]. */
export interface CandidateVertices {
  vertices: Uint32Array;
  /** [count][2] 2·uv − 1 (glTF convention, v down). */
  uvs: Float32Array;
}

/**
 * At most `maxCount` fitting-region vertices, one per cell of the finest square UV grid that
 * keeps the count under the cap (the first vertex met in each cell): an even spread over the face.
 */
export function selectCandidateVertices(model: FaceModel, maxCount = 2000): CandidateVertices {
  const region = model.fittingRegion;
  let chosen: number[] = [];
  for (let cells = 8; cells <= 1024; cells *= 1.25) {
    const side = Math.round(cells);
    const taken = new Set<number>();
    const picked: number[] = [];
    for (const v of region) {
      const u = Math.min(side - 1, Math.max(0, Math.floor(model.uvs[2 * v]! * side)));
      const w = Math.min(side - 1, Math.max(0, Math.floor(model.uvs[2 * v + 1]! * side)));
      if (taken.has(w * side + u)) continue;
      taken.add(w * side + u);
      picked.push(v);
    }
    if (picked.length > maxCount) break;
    chosen = picked;
    if (picked.length === region.length) break;
  }
  const vertices = Uint32Array.from(chosen);
  const uvs = new Float32Array(2 * vertices.length);
  vertices.forEach((v, i) => {
    uvs[2 * i] = 2 * model.uvs[2 * v]! - 1;
    uvs[2 * i + 1] = 2 * model.uvs[2 * v + 1]! - 1;
  });
  return { vertices, uvs };
}

/**
 * The u (in [-1, 1], as the prior's output) about which the model's UV layout is left-right
 * symmetric, or undefined when it is not: mirroring the face (x → −x) must map u to 2c − u and
 * keep v. Checked on up to `samples` fitting-region vertices against their mirror partners
 * (nearest template vertex): c is the median of their UVs' midpoints (0 for a layout symmetric
 * about its middle, as ICT FaceKit's), and the layout counts as symmetric when the median
 * mismatch after mirroring about c is under `toleranceUv` (glTF UV units, [0, 1]). Test-time
 * augmentation may then average UVs as well as normals.
 */
export function uvMirrorCentre(model: FaceModel, samples = 200, toleranceUv = 0.01): number | undefined {
  const region = model.fittingRegion, t = model.template, uvs = model.uvs;
  if (region.length === 0) return undefined;
  const step = Math.max(1, Math.floor(region.length / samples));
  const pairs: [number, number][] = [];
  for (let s = 0; s < region.length; s += step) {
    const v = region[s]!;
    const x = -t[3 * v]!, y = t[3 * v + 1]!, z = t[3 * v + 2]!;
    let partner = -1, best = Infinity;
    for (const w of region) {
      const d = (t[3 * w]! - x) ** 2 + (t[3 * w + 1]! - y) ** 2 + (t[3 * w + 2]! - z) ** 2;
      if (d < best) (best = d), (partner = w);
    }
    pairs.push([v, partner]);
  }
  // Midpoints in [-1, 1]: ((2u_v − 1) + (2u_w − 1)) / 2.
  const centre = median(pairs.map(([v, w]) => uvs[2 * v]! + uvs[2 * w]! - 1));
  const mirrorU = (centre + 1) / 2;
  const mismatch = median(pairs.map(([v, w]) => Math.hypot(uvs[2 * v]! - (2 * mirrorU - uvs[2 * w]!), uvs[2 * v + 1]! - uvs[2 * w + 1]!)));
  return mismatch < toleranceUv ? centre : undefined;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}
