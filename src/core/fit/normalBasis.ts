import type { FaceModel } from '../model/FaceModel.js';
import type { PointBasis } from '../model/PointBasis.js';

/**
 * A linear basis of the (area-weighted, unnormalized) vertex normals of `vertices`, in the same
 * shape as a point basis: n(β, ψ) ≈ N₀ + Σ β_k·dN_k + Σ ψ_e·dN_e, normalized by the user.
 * The normal is quadratic in the positions; identity directions take the exact derivative at the
 * template (a central difference), expressions bounded below by 0 the secant over [0, max] (the
 * better fit across their range), others the derivative. Each vertex's rows are scaled by
 * 1/|N₀| (a positive factor leaves the direction unchanged) so deltas read in radians.
 */
export function normalBasis(model: FaceModel, vertices: ArrayLike<number>, skinWeights?: Float32Array): PointBasis {
  const count = vertices.length;
  const { triangles, template } = model;
  const n3 = model.vertexCount * 3;
  // Triangles touching the selected vertices, and each selected vertex's slot.
  const slot = new Int32Array(model.vertexCount).fill(-1);
  for (let i = 0; i < count; i++) slot[vertices[i]!] = i;
  const touching: number[] = [];
  for (let t = 0; t < triangles.length; t += 3) {
    if (slot[triangles[t]!]! >= 0 || slot[triangles[t + 1]!]! >= 0 || slot[triangles[t + 2]!]! >= 0) touching.push(t);
  }

  /** Unnormalized normals of the selected vertices for positions template + c·deltas[group]. */
  const normalsAt = (deltas: Float32Array | undefined, group: number, c: number, out: Float64Array) => {
    out.fill(0);
    const o = group * n3;
    const at = (v: number, axis: number) => template[3 * v + axis]! + (deltas ? c * deltas[o + 3 * v + axis]! : 0);
    for (const t of touching) {
      const a = triangles[t]!, b = triangles[t + 1]!, d = triangles[t + 2]!;
      const ax = at(a, 0), ay = at(a, 1), az = at(a, 2);
      const e1x = at(b, 0) - ax, e1y = at(b, 1) - ay, e1z = at(b, 2) - az;
      const e2x = at(d, 0) - ax, e2y = at(d, 1) - ay, e2z = at(d, 2) - az;
      const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      for (let corner = 0; corner < 3; corner++) {
        const s = slot[triangles[t + corner]!]!;
        if (s < 0) continue;
        out[3 * s] += nx;
        out[3 * s + 1] += ny;
        out[3 * s + 2] += nz;
      }
    }
  };

  const base64 = new Float64Array(3 * count);
  normalsAt(undefined, 0, 0, base64);
  const inverseLength = Float64Array.from({ length: count }, (_, i) => 1 / (Math.hypot(base64[3 * i]!, base64[3 * i + 1]!, base64[3 * i + 2]!) || 1));
  const plus = new Float64Array(3 * count), minus = new Float64Array(3 * count);

  const group = (deltas: Float32Array, groups: number, secantMax: (k: number) => number | undefined): Float32Array => {
    const out = new Float32Array(groups * count * 3);
    for (let k = 0; k < groups; k++) {
      const max = secantMax(k);
      if (max !== undefined) {
        normalsAt(deltas, k, max, plus);
        for (let i = 0; i < 3 * count; i++) out[k * 3 * count + i] = ((plus[i]! - base64[i]!) / max) * inverseLength[(i / 3) | 0]!;
      } else {
        normalsAt(deltas, k, 1, plus);
        normalsAt(deltas, k, -1, minus);
        for (let i = 0; i < 3 * count; i++) out[k * 3 * count + i] = ((plus[i]! - minus[i]!) / 2) * inverseLength[(i / 3) | 0]!;
      }
    }
    return out;
  };

  const expression = model.expression;
  const basis: { -readonly [K in keyof PointBasis]: PointBasis[K] } = {
    count,
    base: Float32Array.from(base64, (v, i) => v * inverseLength[(i / 3) | 0]!),
    identity: group(model.identity.deltas, model.identity.names.length, () => undefined),
    expression: group(expression.deltas, expression.names.length, (e) =>
      expression.min && expression.max && expression.min[e] === 0 && expression.max[e]! > 0 ? expression.max[e]! : undefined,
    ),
  };
  if (skinWeights) basis.skinWeights = skinWeights;
  return basis;
}
