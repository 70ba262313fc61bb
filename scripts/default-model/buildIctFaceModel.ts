import { MeshoptEncoder } from 'meshoptimizer';
import { splitAtUvSeams, type ObjMesh } from '../../src/authoring/geometry/parseObj.js';
import type { BlendshapeGroup, FaceModel, SurfaceEmbedding } from '../../src/core/model/FaceModel.js';
import type { IctFaceKit } from './readIctFaceKit.js';

/** The glTF-side mesh of the ICT FaceKit: OBJ vertices split at UV seams. */
export interface IctMesh {
  vertexCount: number;
  /** Original OBJ vertex of each split vertex. */
  sourceVertex: Uint32Array;
  template: Float32Array;
  uvs: Float32Array;
  triangles: Uint32Array;
}

/**
 * Splits the OBJ at UV seams, then orders triangles and vertices for locality (meshoptimizer's
 * reorderMesh): neighbouring vertices get nearby indices, which makes the meshopt-compressed
 * morph targets about 11% smaller. Shells that no renderer shows untextured and that nothing is
 * embedded on are left out (`LEFT_OUT`).
 */
export async function splitIctMesh(kit: IctFaceKit): Promise<IctMesh> {
  const split = splitAtUvSeams(withoutHiddenShells(kit.obj));
  await MeshoptEncoder.ready;
  const triangles = Uint32Array.from(split.triangles);
  // Rewrites `triangles` to the new vertex indices; remap[old] = new.
  const [remap, vertexCount] = MeshoptEncoder.reorderMesh(triangles, true, true);
  if (vertexCount !== split.sourceVertex.length) throw new Error('ICT mesh: seam splitting left unused vertices');
  const order = new Uint32Array(vertexCount);
  remap.forEach((to, from) => (order[to] = from));
  const sourceVertex = Uint32Array.from(order, (v) => split.sourceVertex[v]!);
  const uvs = new Float32Array(vertexCount * 2);
  order.forEach((from, to) => uvs.set(split.uvs.subarray(2 * from, 2 * from + 2), 2 * to));
  return { vertexCount, sourceVertex, uvs, triangles, template: gatherVec3(kit.obj.positions, sourceVertex) };
}

/**
 * ICT OBJ vertices the model leaves out: the lacrimal-fluid, eye-blend and eye-occlusion layers
 * made for Unreal's eye shaders, and the lash strips made for an alpha-tested hair texture
 * (hidden by `FaceAvatar`; see `faceRegions.ts`): 8 % of the vertices, and as much of every
 * morph target. The iris shells, hidden too, stay: MediaPipe's iris points are embedded on them.
 */
const LEFT_OUT = { first: 24591, last: 26718 };

/** The OBJ without the faces that touch `LEFT_OUT`; vertices only those faces used are then never emitted. */
function withoutHiddenShells(obj: ObjMesh): ObjMesh {
  const isHidden = (v: number) => v >= LEFT_OUT.first && v <= LEFT_OUT.last;
  const faceSizes: number[] = [], positionIndex: number[] = [], uvIndex: number[] = [];
  let offset = 0;
  for (const size of obj.faceSizes) {
    const corners = obj.positionIndex.subarray(offset, offset + size);
    if (!corners.some(isHidden)) {
      faceSizes.push(size);
      positionIndex.push(...corners);
      uvIndex.push(...obj.uvIndex.subarray(offset, offset + size));
    }
    offset += size;
  }
  return { ...obj, faceSizes: Uint8Array.from(faceSizes), positionIndex: Uint32Array.from(positionIndex), uvIndex: Int32Array.from(uvIndex) };
}

/**
 * ICT's expression names follow ARKit with `_L`/`_R` suffixes for the subject's left/right
 * (`eyeBlink_L` → `eyeBlinkLeft`). `verifySides` checks the side on the geometry.
 */
function ictToArkitName(name: string): string {
  return name.replace(/_L$/, 'Left').replace(/_R$/, 'Right');
}

/**
 * Throws unless ICT's `_L` shapes move the subject's left side (+X: the model faces +Z, Y up),
 * the side ARKit's `…Left` names mean.
 */
function verifySides(kit: IctFaceKit): void {
  for (const name of kit.indices.expressions.filter((n) => n.endsWith('_L'))) {
    const side = motionWeightedMeanX(kit, kit.shapeNames.indexOf(name));
    if (!(side > 0.5)) throw new Error(`ICT shape ${name} moves x ≈ ${side.toFixed(2)} cm: expected the subject's left (+X)`);
  }
}

/** Mean x of the vertices a shape moves, weighted by how far each moves (cm). */
function motionWeightedMeanX(kit: IctFaceKit, shape: number): number {
  const n = kit.obj.positions.length / 3;
  let sum = 0, weight = 0;
  for (let v = 0; v < n; v++) {
    const o = (shape * n + v) * 3;
    const m = Math.hypot(kit.deltas[o]!, kit.deltas[o + 1]!, kit.deltas[o + 2]!);
    sum += m * kit.obj.positions[3 * v]!;
    weight += m;
  }
  return sum / weight;
}

export interface IctModelOptions {
  /** Leading identity (PCA) modes to keep, at most 100. */
  identityCount: number;
}

/** The ICT FaceKit as a face model (the bundled default), without the MediaPipe embedding (`embedMediapipe` computes it from this). */
export function buildIctFaceModel(kit: IctFaceKit, mesh: IctMesh, options: IctModelOptions): FaceModel {
  verifySides(kit);
  const n = kit.obj.positions.length / 3;
  const shapeRows = (names: string[]) =>
    names.map((name) => {
      const k = kit.shapeNames.indexOf(name);
      if (k < 0) throw new Error(`ICT FaceKit has no shape ${name}`);
      return gatherVec3(kit.deltas.subarray(k * n * 3, (k + 1) * n * 3), mesh.sourceVertex);
    });
  const identityNames = kit.shapeNames.filter((s) => s.startsWith('identity')).slice(0, options.identityCount);
  if (identityNames.length !== options.identityCount) throw new Error(`ICT FaceKit has only ${identityNames.length} identity shapes`);
  const expressionNames = kit.indices.expressions;

  // Upstream's identity modes are PCA directions scaled so coefficients are N(0, 1) (its sample
  // identity draws them so): prior std 1. Expressions are ARKit weights in [0, 1]; std 1 keeps
  // their prior weak next to the [0, 1] bounds.
  const identity: BlendshapeGroup = { names: identityNames, deltas: concat(shapeRows(identityNames)), std: new Float32Array(identityNames.length).fill(1) };
  const count = expressionNames.length;
  const expression: BlendshapeGroup = {
    names: expressionNames.map(ictToArkitName),
    deltas: concat(shapeRows(expressionNames)),
    std: new Float32Array(count).fill(1),
    min: new Float32Array(count).fill(0),
    max: new Float32Array(count).fill(1),
  };

  return {
    name: 'ict-facekit',
    units: 'cm',
    metersPerUnit: 0.01,
    uvLayout: 'ict-facekit',
    licence: 'MIT (ICT FaceKit, USC Institute for Creative Technologies)',
    source: `ICT FaceKit Light (https://github.com/ICT-VGL/ICT-FaceKit): generic neutral mesh, ${identityNames.length} identity PCA modes, ${count} fitting expressions`,
    vertexCount: mesh.vertexCount,
    template: mesh.template,
    uvs: mesh.uvs,
    triangles: mesh.triangles,
    sourceVertex: mesh.sourceVertex,
    identity,
    expression,
    fittingRegion: splitCopies(mesh.sourceVertex, kit.indices.idx_to_fitting_verts),
    multipie68: vertexEmbedding(firstSplitCopies(mesh.sourceVertex, kit.indices.idx_to_landmark_verts)),
  };
}

/** The xyz triples of `src` at indices `rows`. */
function gatherVec3(src: ArrayLike<number>, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * 3);
  for (let i = 0; i < rows.length; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = src[3 * rows[i]! + c]!;
  return out;
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** Every split vertex whose source is in `sources`, ascending. */
function splitCopies(sourceVertex: Uint32Array, sources: readonly number[]): Uint32Array {
  const wanted = new Set(sources);
  const out: number[] = [];
  sourceVertex.forEach((s, v) => {
    if (wanted.has(s)) out.push(v);
  });
  return Uint32Array.from(out);
}

/** For each source vertex, its first split copy (all copies share position and deltas). */
function firstSplitCopies(sourceVertex: Uint32Array, sources: readonly number[]): Uint32Array {
  const first = new Map<number, number>();
  sourceVertex.forEach((s, v) => {
    if (!first.has(s)) first.set(s, v);
  });
  return Uint32Array.from(sources, (s) => {
    const v = first.get(s);
    if (v === undefined) throw new Error(`ICT vertex ${s} is in no face`);
    return v;
  });
}

/** Points that sit exactly on vertices: weight 1 on the first corner. */
function vertexEmbedding(vertices: ArrayLike<number>): SurfaceEmbedding {
  const out = { vertices: new Uint32Array(vertices.length * 3), weights: new Float32Array(vertices.length * 3) };
  for (let i = 0; i < vertices.length; i++) {
    out.vertices.fill(vertices[i]!, 3 * i, 3 * i + 3);
    out.weights[3 * i] = 1;
  }
  return out;
}
