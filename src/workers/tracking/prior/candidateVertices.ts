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
 * Whether mirroring the face (x → −x) mirrors its UVs (u → 1 − u): checked on up to `samples`
 * fitting-region vertices against their mirror partners (nearest template vertex). Test-time
 * augmentation may then average UVs as well as normals.
 */
export function isUvMirrorSymmetric(model: FaceModel, samples = 200, toleranceUv = 0.01): boolean {
  const region = model.fittingRegion, t = model.template;
  if (region.length === 0) return false;
  const step = Math.max(1, Math.floor(region.length / samples));
  const errors: number[] = [];
  for (let s = 0; s < region.length; s += step) {
    const v = region[s]!;
    const x = -t[3 * v]!, y = t[3 * v + 1]!, z = t[3 * v + 2]!;
    let partner = -1, best = Infinity;
    for (const w of region) {
      const d = (t[3 * w]! - x) ** 2 + (t[3 * w + 1]! - y) ** 2 + (t[3 * w + 2]! - z) ** 2;
      if (d < best) (best = d), (partner = w);
    }
    errors.push(Math.hypot(model.uvs[2 * v]! - (1 - model.uvs[2 * partner]!), model.uvs[2 * v + 1]! - model.uvs[2 * partner + 1]!));
  }
  errors.sort((a, b) => a - b);
  return errors[Math.floor(errors.length / 2)]! < toleranceUv;
}
