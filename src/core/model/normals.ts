/** Area-weighted vertex normals of a triangle mesh. */
export function computeVertexNormals(
  positions: ArrayLike<number>,
  triangles: ArrayLike<number>,
  out: Float32Array = new Float32Array(positions.length),
): Float32Array {
  out.fill(0);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t]!, b = 3 * triangles[t + 1]!, c = 3 * triangles[t + 2]!;
    const e1x = positions[b]! - positions[a]!, e1y = positions[b + 1]! - positions[a + 1]!, e1z = positions[b + 2]! - positions[a + 2]!;
    const e2x = positions[c]! - positions[a]!, e2y = positions[c + 1]! - positions[a + 1]!, e2z = positions[c + 2]! - positions[a + 2]!;
    // The cross product's length is twice the area: summing it weights by area.
    const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    for (const v of [a, b, c]) {
      out[v] += nx;
      out[v + 1] += ny;
      out[v + 2] += nz;
    }
  }
  for (let v = 0; v < out.length; v += 3) {
    const len = Math.hypot(out[v]!, out[v + 1]!, out[v + 2]!) || 1;
    out[v] /= len;
    out[v + 1] /= len;
    out[v + 2] /= len;
  }
  return out;
}
