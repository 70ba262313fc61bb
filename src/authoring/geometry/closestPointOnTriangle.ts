/** The point of a triangle nearest to a query point, as barycentric weights of its corners. */
export interface TrianglePoint {
  /** Barycentric weights of corners a, b, c (non-negative, summing to 1). */
  wa: number;
  wb: number;
  wc: number;
  /** Squared distance from the query point, squared input units. */
  distanceSq: number;
}

/**
 * Closest point on triangle (a, b, c) to p, by Voronoi-region tests (Ericson, Real-Time Collision
 * Detection, 5.1.5). Points are read from packed xyz arrays at vertex indices.
 */
export function closestPointOnTriangle(
  p: ArrayLike<number>,
  pi: number,
  positions: ArrayLike<number>,
  ia: number,
  ib: number,
  ic: number,
  out: TrianglePoint = { wa: 1, wb: 0, wc: 0, distanceSq: 0 },
): TrianglePoint {
  const px = p[3 * pi]!, py = p[3 * pi + 1]!, pz = p[3 * pi + 2]!;
  const ax = positions[3 * ia]!, ay = positions[3 * ia + 1]!, az = positions[3 * ia + 2]!;
  const abx = positions[3 * ib]! - ax, aby = positions[3 * ib + 1]! - ay, abz = positions[3 * ib + 2]! - az;
  const acx = positions[3 * ic]! - ax, acy = positions[3 * ic + 1]! - ay, acz = positions[3 * ic + 2]! - az;
  const apx = px - ax, apy = py - ay, apz = pz - az;

  nearestWeights(out, abx, aby, abz, acx, acy, acz, apx, apy, apz);
  const { wb, wc } = out;
  const dx = apx - wb * abx - wc * acx, dy = apy - wb * aby - wc * acy, dz = apz - wb * abz - wc * acz;
  out.distanceSq = dx * dx + dy * dy + dz * dz;
  return out;
}

/**
 * Writes to `out` the barycentric weights of the point of the triangle nearest p, from its edges
 * ab, ac and ap. No closures or arrays: it runs millions of times per registration.
 */
function nearestWeights(
  out: TrianglePoint,
  abx: number,
  aby: number,
  abz: number,
  acx: number,
  acy: number,
  acz: number,
  apx: number,
  apy: number,
  apz: number,
): void {
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  if (d1 <= 0 && d2 <= 0) return setWeights(out, 1, 0, 0);

  const bpx = apx - abx, bpy = apy - aby, bpz = apz - abz;
  const d3 = abx * bpx + aby * bpy + abz * bpz;
  const d4 = acx * bpx + acy * bpy + acz * bpz;
  if (d3 >= 0 && d4 <= d3) return setWeights(out, 0, 1, 0);

  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    const w = d1 / (d1 - d3);
    return setWeights(out, 1 - w, w, 0);
  }

  const cpx = apx - acx, cpy = apy - acy, cpz = apz - acz;
  const d5 = abx * cpx + aby * cpy + abz * cpz;
  const d6 = acx * cpx + acy * cpy + acz * cpz;
  if (d6 >= 0 && d5 <= d6) return setWeights(out, 0, 0, 1);

  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    const w = d2 / (d2 - d6);
    return setWeights(out, 1 - w, 0, w);
  }

  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
    const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
    return setWeights(out, 0, 1 - w, w);
  }

  const sum = va + vb + vc;
  // Only a zero-area triangle gets here with sum 0; corner a then stands in for it.
  if (!(sum > 0)) return setWeights(out, 1, 0, 0);
  // All three from the areas: 1 − wb − wc could round below zero.
  return setWeights(out, va / sum, vb / sum, vc / sum);
}

function setWeights(out: TrianglePoint, wa: number, wb: number, wc: number): void {
  out.wa = wa;
  out.wb = wb;
  out.wc = wc;
}
