/** A Wavefront OBJ mesh as written: positions and UVs indexed separately per face corner. */
export interface ObjMesh {
  /** [vertexCount][3]. */
  positions: Float32Array;
  /** [uvCount][2] as in the file (v up). */
  uvs: Float32Array;
  /** Per face: corner count in `faceSizes`, corners packed in `positionIndex`/`uvIndex` (0-based; uv −1 when absent). */
  faceSizes: Uint8Array;
  positionIndex: Uint32Array;
  uvIndex: Int32Array;
}

/** Parses the subset of OBJ that face models use: v, vt, f (polygons, v/vt/vn forms). */
export function parseObj(text: string): ObjMesh {
  const positions: number[] = [];
  const uvs: number[] = [];
  const faceSizes: number[] = [];
  const positionIndex: number[] = [];
  const uvIndex: number[] = [];
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    const parts = line.trim().split(/\s+/);
    switch (parts[0]) {
      case 'v':
        positions.push(+parts[1]!, +parts[2]!, +parts[3]!);
        break;
      case 'vt':
        uvs.push(+parts[1]!, +parts[2]!);
        break;
      case 'f': {
        const corners = parts.slice(1);
        if (corners.length < 3) throw new Error(`OBJ line ${lineNumber}: a face needs at least 3 corners`);
        for (const corner of corners) {
          const [p, t] = corner.split('/');
          const pi = resolve(+p!, positions.length / 3);
          positionIndex.push(pi);
          uvIndex.push(t ? resolve(+t, uvs.length / 2) : -1);
        }
        faceSizes.push(corners.length);
        break;
      }
      default:
        break;
    }
  }
  if (positions.some((x) => !Number.isFinite(x))) throw new Error('OBJ: a vertex has a non-numeric coordinate');
  return {
    positions: Float32Array.from(positions),
    uvs: Float32Array.from(uvs),
    faceSizes: Uint8Array.from(faceSizes),
    positionIndex: Uint32Array.from(positionIndex),
    uvIndex: Int32Array.from(uvIndex),
  };
}

/** OBJ indices are 1-based, or negative counting back from the end. */
function resolve(index: number, count: number): number {
  if (!Number.isInteger(index) || index === 0) throw new Error(`OBJ: bad index ${index}`);
  return index > 0 ? index - 1 : count + index;
}

/**
 * Splits OBJ vertices at UV seams for glTF: one output vertex per distinct (position, uv) pair,
 * polygons fan-triangulated. `sourceVertex` maps output vertices to OBJ positions.
 */
export function splitAtUvSeams(obj: ObjMesh): { sourceVertex: Uint32Array; uvs: Float32Array; triangles: Uint32Array } {
  const key = new Map<number, number>();
  const sourceVertex: number[] = [];
  const uvs: number[] = [];
  const corner = new Uint32Array(obj.positionIndex.length);
  const uvCount = obj.uvs.length / 2 + 1;
  for (let i = 0; i < obj.positionIndex.length; i++) {
    const p = obj.positionIndex[i]!, t = obj.uvIndex[i]!;
    const k = p * uvCount + (t + 1);
    let v = key.get(k);
    if (v === undefined) {
      v = sourceVertex.length;
      key.set(k, v);
      sourceVertex.push(p);
      // glTF puts v = 0 at the top of the image, OBJ at the bottom.
      uvs.push(t >= 0 ? obj.uvs[2 * t]! : 0, t >= 0 ? 1 - obj.uvs[2 * t + 1]! : 0);
    }
    corner[i] = v;
  }
  const triangles: number[] = [];
  let offset = 0;
  for (const size of obj.faceSizes) {
    for (let k = 1; k + 1 < size; k++) triangles.push(corner[offset]!, corner[offset + k]!, corner[offset + k + 1]!);
    offset += size;
  }
  return { sourceVertex: Uint32Array.from(sourceVertex), uvs: Float32Array.from(uvs), triangles: Uint32Array.from(triangles) };
}
