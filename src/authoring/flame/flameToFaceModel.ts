import { modelFormatError } from '../../core/errors.js';
import { splitAtUvSeams, type ObjMesh } from '../geometry/parseObj.js';
import type { BlendshapeGroup, FaceModel, Skeleton } from '../../core/model/FaceModel.js';
import { FLAME_JOINT_NAMES, FLAME_SHAPE_COMPONENTS, type FlameModel } from './FlameModel.js';
import { flameUvLayout } from './flameUvLayout.js';

export interface FlameConversionOptions {
  /** Shown as the model's `source` (the input file's name). */
  readonly source: string;
  /** FLAME vertex indices of the face region (FLAME_masks.pkl's 'face'); all vertices when absent. */
  readonly faceMask?: ArrayLike<number>;
}

export const FLAME_LICENCE = 'FLAME licence (user-supplied file; not redistributable)';

/**
 * Converts FLAME and its UV template (head_template.obj) into a `FaceModel`: vertices split at
 * UV seams (`sourceVertex` maps back to FLAME's), every per-vertex array expanded through that
 * map, shapedirs split into 300 identity + the rest as expression targets, posedirs as pose
 * correctives, all 5 skin weights per vertex, and the joint regressor on the first copy of each
 * FLAME vertex. Exact: the evaluator reproduces FLAME's forward pass.
 */
export function flameToFaceModel(flame: FlameModel, uvTemplate: ObjMesh, options: FlameConversionOptions): FaceModel {
  const n = flame.vertexCount;
  const objVertices = uvTemplate.positions.length / 3;
  if (objVertices !== n) {
    modelFormatError(
      `The UV template has ${objVertices} vertices but the FLAME model has ${n}. Pass FLAME's head_template.obj (the one with texture coordinates) as --uv.`,
    );
  }
  if (uvTemplate.uvIndex.some((t) => t < 0)) {
    modelFormatError("The UV template has faces without texture coordinates (f v/vt). Pass FLAME's head_template.obj as --uv.");
  }
  const split = splitAtUvSeams(uvTemplate);
  checkSameTriangles(split.triangles, split.sourceVertex, flame);
  const { sourceVertex, uvs } = withUnusedVertices(split.sourceVertex, split.uvs, n);
  const count = sourceVertex.length;
  const firstCopy = firstCopies(sourceVertex, n);

  const shapeNames = names('shape', FLAME_SHAPE_COMPONENTS);
  const expressionNames = names('exp', flame.componentCount - FLAME_SHAPE_COMPONENTS);
  const poseNames = FLAME_JOINT_NAMES.slice(1).flatMap((joint) => [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => `pose_${joint}_${r}${c}`)));
  const group = (names: string[], dirs: Float64Array, dirsCount: number, first: number): BlendshapeGroup => ({
    names,
    deltas: expandDirections(dirs, dirsCount, first, names.length, sourceVertex),
    std: new Float32Array(names.length).fill(1),
  });

  const model: FaceModel = {
    name: 'FLAME',
    units: 'm',
    metersPerUnit: 1,
    uvLayout: flameUvLayout(uvTemplate),
    licence: FLAME_LICENCE,
    source: options.source,
    vertexCount: count,
    template: Float32Array.from({ length: count * 3 }, (_, i) => flame.template[3 * sourceVertex[Math.floor(i / 3)]! + (i % 3)]!),
    uvs,
    triangles: split.triangles,
    identity: group(shapeNames, flame.shapedirs, flame.componentCount, 0),
    expression: group(expressionNames, flame.shapedirs, flame.componentCount, FLAME_SHAPE_COMPONENTS),
    poseCorrectives: group(poseNames, flame.posedirs, poseNames.length, 0),
    skeleton: skeleton(flame, sourceVertex, firstCopy),
    fittingRegion: fittingRegion(sourceVertex, options.faceMask),
  };
  return isIdentity(sourceVertex) ? model : { ...model, sourceVertex };
}

function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, k) => `${prefix}${String(k).padStart(3, '0')}`);
}

/**
 * FLAME's [V][3][dirsCount] directions, components first..first+count, as our
 * [count][splitVertex][3] deltas (float32).
 */
function expandDirections(dirs: Float64Array, dirsCount: number, first: number, count: number, sourceVertex: Uint32Array): Float32Array {
  const n3 = sourceVertex.length * 3;
  const out = new Float32Array(count * n3);
  for (let v = 0; v < sourceVertex.length; v++) {
    for (let c = 0; c < 3; c++) {
      const from = (3 * sourceVertex[v]! + c) * dirsCount + first;
      for (let k = 0; k < count; k++) out[k * n3 + 3 * v + c] = dirs[from + k]!;
    }
  }
  return out;
}

/** All of FLAME's joints on every vertex, heaviest first (so three.js's 4-influence skinning keeps the largest). */
function skeleton(flame: FlameModel, sourceVertex: Uint32Array, firstCopy: Uint32Array): Skeleton {
  const jointCount = FLAME_JOINT_NAMES.length;
  const skinJoints = new Uint16Array(sourceVertex.length * jointCount);
  const skinWeights = new Float32Array(sourceVertex.length * jointCount);
  const order = Array.from({ length: jointCount }, (_, j) => j);
  for (let v = 0; v < sourceVertex.length; v++) {
    const w = flame.weights.subarray(sourceVertex[v]! * jointCount, (sourceVertex[v]! + 1) * jointCount);
    order.sort((a, b) => w[b]! - w[a]! || a - b);
    order.forEach((j, i) => {
      skinJoints[v * jointCount + i] = j;
      skinWeights[v * jointCount + i] = w[j]!;
    });
  }
  return {
    jointNames: [...FLAME_JOINT_NAMES],
    parents: flame.parents,
    influences: jointCount,
    skinJoints,
    skinWeights,
    regressor: {
      joint: flame.regressor.joint,
      vertex: Uint32Array.from(flame.regressor.vertex, (v) => firstCopy[v]!),
      weight: Float32Array.from(flame.regressor.weight),
    },
  };
}

/** The split vertices whose FLAME vertex is in the mask (all when there is no mask). */
function fittingRegion(sourceVertex: Uint32Array, faceMask: ArrayLike<number> | undefined): Uint32Array {
  if (!faceMask) return Uint32Array.from(sourceVertex.keys());
  const inMask = new Set(Array.from(faceMask));
  return Uint32Array.from(Array.from(sourceVertex.keys()).filter((v) => inMask.has(sourceVertex[v]!)));
}

/** The first split vertex of each FLAME vertex. */
function firstCopies(sourceVertex: Uint32Array, sourceCount: number): Uint32Array {
  const first = new Uint32Array(sourceCount).fill(0xffffffff);
  for (let v = sourceVertex.length - 1; v >= 0; v--) first[sourceVertex[v]!] = v;
  return first;
}

/**
 * FLAME vertices no UV-template face uses would vanish in the split; keep them (UV 0, 0) so
 * the joint regressor and `sourceVertex` still cover every FLAME vertex.
 */
function withUnusedVertices(sourceVertex: Uint32Array, uvs: Float32Array, sourceCount: number): { sourceVertex: Uint32Array; uvs: Float32Array } {
  const used = new Uint8Array(sourceCount);
  sourceVertex.forEach((s) => (used[s] = 1));
  const unused = Array.from(used.keys()).filter((s) => !used[s]);
  if (unused.length === 0) return { sourceVertex, uvs };
  const allUvs = new Float32Array(uvs.length + 2 * unused.length);
  allUvs.set(uvs);
  return { sourceVertex: Uint32Array.from([...sourceVertex, ...unused]), uvs: allUvs };
}

/** The UV template must triangulate FLAME's own mesh (any corner order, any triangle order). */
function checkSameTriangles(triangles: Uint32Array, sourceVertex: Uint32Array, flame: FlameModel): void {
  const n = flame.vertexCount;
  const key = (a: number, b: number, c: number) => {
    const [x, y, z] = [a, b, c].sort((p, q) => p - q) as [number, number, number];
    return (x * n + y) * n + z;
  };
  const flameTriangles = new Set<number>();
  for (let t = 0; t < flame.faces.length; t += 3) flameTriangles.add(key(flame.faces[t]!, flame.faces[t + 1]!, flame.faces[t + 2]!));
  let matching = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    if (flameTriangles.has(key(sourceVertex[triangles[t]!]!, sourceVertex[triangles[t + 1]!]!, sourceVertex[triangles[t + 2]!]!))) matching++;
  }
  const objCount = triangles.length / 3;
  if (matching !== objCount || objCount !== flame.faces.length / 3) {
    modelFormatError(
      `The UV template's ${objCount} triangles do not match the FLAME model's ${flame.faces.length / 3} (${matching} in common). Pass the head_template.obj that comes with your FLAME version as --uv.`,
    );
  }
}

function isIdentity(map: Uint32Array): boolean {
  return map.every((s, v) => s === v);
}
