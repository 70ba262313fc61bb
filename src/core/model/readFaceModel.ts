import { type Accessor, type Mesh, type Node, WebIO } from '@gltf-transform/core';
import { EXTMeshoptCompression, KHRMeshQuantization } from '@gltf-transform/extensions';
import { MeshoptDecoder } from 'meshoptimizer';
import type { ArkitMap } from '../arkit.js';
import type { ArkitProjection } from '../arkitProjection.js';
import { modelFormatError } from '../errors.js';
import { fileProblem } from '../fileSignatures.js';
import type { BlendshapeGroup, FaceModel, Skeleton, SurfaceEmbedding } from './FaceModel.js';
import { FACE_MODEL_FORMAT, FACE_MODEL_VERSION, type EmbeddingExtras, type FaceModelExtras, type GroupExtras } from './faceModelSchema.js';

/**
 * Reads a face-model `.glb` (see `faceModelSchema.ts`) into typed arrays. Throws a
 * `TrackerError` with code `model-format` when the bytes are not such a file.
 */
export async function readFaceModel(bytes: Uint8Array): Promise<FaceModel> {
  const problem = fileProblem(bytes, 'glb');
  if (problem) modelFormatError(`Not a face model: ${problem}. Pass a .glb written by pixel3dmm-web.`, { bytes: bytes.byteLength });
  await MeshoptDecoder.ready;
  const io = new WebIO()
    .registerExtensions([KHRMeshQuantization, EXTMeshoptCompression])
    .registerDependencies({ 'meshopt.decoder': MeshoptDecoder });
  let doc;
  try {
    doc = await io.readBinary(bytes);
  } catch (cause) {
    modelFormatError(`The face model file is damaged (${(cause as Error).message}): replace it with an intact copy (download or export it again; check that the server and the build copy it unchanged).`);
  }
  const mesh = doc.getRoot().listMeshes().find((m) => (m.getExtras() as { pixel3dmm?: unknown }).pixel3dmm);
  if (!mesh) {
    modelFormatError(
      'This .glb is not a pixel3dmm-web face model (no mesh carries extras.pixel3dmm). Use models/face-default.glb or convert FLAME with `npx pixel3dmm-web import-flame`.',
    );
  }
  const extras = (mesh.getExtras() as { pixel3dmm: FaceModelExtras }).pixel3dmm;
  if (extras.format !== FACE_MODEL_FORMAT || extras.version > FACE_MODEL_VERSION) {
    modelFormatError(`Unsupported face model format ${extras.format} v${extras.version}; this SDK reads ${FACE_MODEL_FORMAT} v${FACE_MODEL_VERSION}.`);
  }
  return decode(mesh, extras);
}

function decode(mesh: Mesh, extras: FaceModelExtras): FaceModel {
  const prim = mesh.listPrimitives()[0];
  const position = prim?.getAttribute('POSITION');
  const uv = prim?.getAttribute('TEXCOORD_0');
  const indices = prim?.getIndices();
  if (!prim || !position || !uv || !indices) modelFormatError('Face model mesh lacks positions, UVs or triangle indices.');
  const vertexCount = position.getCount();
  const node = mesh.listParents().find((p): p is Node => p.propertyType === 'Node');
  // Quantized files carry their dequantization as the mesh node's transform (not for skinned meshes).
  const matrix = node && !node.getSkin() ? node.getWorldMatrix() : undefined;

  const template = toFloat32(position);
  if (matrix) transformPoints(template, matrix, true);
  const targets = prim.listTargets();
  const group = (g: GroupExtras | undefined, role: string): BlendshapeGroup | undefined => {
    if (!g) return undefined;
    if (g.start + g.count > targets.length || g.std.length !== g.count) {
      modelFormatError(`Face model's ${role} group points past its ${targets.length} morph targets.`);
    }
    const names = mesh.getExtras().targetNames as string[] | undefined;
    const deltas = new Float32Array(g.count * vertexCount * 3);
    for (let k = 0; k < g.count; k++) {
      const attr = targets[g.start + k]!.getAttribute('POSITION');
      if (!attr || attr.getCount() !== vertexCount) modelFormatError(`Morph target ${g.start + k} has no positions for every vertex.`);
      const d = toFloat32(attr);
      if (matrix) transformPoints(d, matrix, false);
      deltas.set(d, k * vertexCount * 3);
    }
    const out: { -readonly [K in keyof BlendshapeGroup]: BlendshapeGroup[K] } = {
      names: names ? names.slice(g.start, g.start + g.count) : Array.from({ length: g.count }, (_, k) => `${role}${k}`),
      deltas,
      std: Float32Array.from(g.std),
    };
    if (g.min) out.min = Float32Array.from(g.min);
    if (g.max) out.max = Float32Array.from(g.max);
    return out;
  };

  const model: { -readonly [K in keyof FaceModel]: FaceModel[K] } = {
    name: extras.name,
    units: extras.units,
    metersPerUnit: extras.metersPerUnit,
    uvLayout: extras.uvLayout,
    licence: extras.licence,
    source: extras.source,
    vertexCount,
    template,
    uvs: toFloat32(uv),
    triangles: Uint32Array.from(indices.getArray()!),
    identity: group(extras.groups.identity, 'identity')!,
    expression: group(extras.groups.expression, 'expression')!,
    fittingRegion: Uint32Array.from(extras.fittingRegion),
  };
  const pose = group(extras.groups.poseCorrectives, 'pose');
  if (pose) model.poseCorrectives = pose;
  if (extras.skeleton) model.skeleton = decodeSkeleton(extras.skeleton, prim.getAttribute.bind(prim), vertexCount);
  if (extras.mediapipe478) model.mediapipe478 = decodeEmbedding(extras.mediapipe478, vertexCount);
  if (extras.multipie68) model.multipie68 = decodeEmbedding(extras.multipie68, vertexCount);
  if (extras.sourceVertex) model.sourceVertex = Uint32Array.from(extras.sourceVertex);
  const arkitInputs = model.expression.names.length + 3 * (model.skeleton?.jointNames.length ?? 0);
  if (extras.arkitMap) model.arkitMap = decodeArkitMap(extras.arkitMap, arkitInputs);
  if (extras.arkitProjection) model.arkitProjection = decodeArkitProjection(extras.arkitProjection, arkitInputs);
  return model;
}

function decodeSkeleton(s: NonNullable<FaceModelExtras['skeleton']>, attribute: (name: string) => Accessor | null, vertexCount: number): Skeleton {
  const skinJoints = new Uint16Array(vertexCount * s.influences);
  const skinWeights = new Float32Array(vertexCount * s.influences);
  for (let set = 0; set * 4 < s.influences; set++) {
    const joints = attribute(`JOINTS_${set}`);
    const weights = attribute(`WEIGHTS_${set}`);
    if (!joints || !weights) modelFormatError(`Skinned face model lacks JOINTS_${set}/WEIGHTS_${set}.`);
    const j = joints.getArray()!;
    const w = toFloat32(weights);
    for (let v = 0; v < vertexCount; v++) {
      for (let c = 0; c < 4 && set * 4 + c < s.influences; c++) {
        skinJoints[v * s.influences + set * 4 + c] = j[v * 4 + c]!;
        skinWeights[v * s.influences + set * 4 + c] = w[v * 4 + c]!;
      }
    }
  }
  return {
    jointNames: s.jointNames,
    parents: Int32Array.from(s.parents),
    influences: s.influences,
    skinJoints,
    skinWeights,
    regressor: {
      joint: Uint32Array.from(s.regressor.joint),
      vertex: Uint32Array.from(s.regressor.vertex),
      weight: Float32Array.from(s.regressor.weight),
    },
  };
}

function decodeEmbedding(e: EmbeddingExtras, vertexCount: number): SurfaceEmbedding {
  const vertices = Uint32Array.from(e.vertices);
  if (vertices.some((v) => v >= vertexCount) || e.weights.length !== e.vertices.length) {
    modelFormatError('A landmark embedding in the face model refers to vertices the mesh does not have.');
  }
  return { vertices, weights: Float32Array.from(e.weights) };
}

/** Accessor data as float32, undoing KHR_mesh_quantization's normalized integers. */
export function toFloat32(accessor: Accessor): Float32Array {
  const src = accessor.getArray()!;
  if (src instanceof Float32Array) return Float32Array.from(src);
  const out = new Float32Array(src.length);
  if (!accessor.getNormalized()) {
    out.set(src);
    return out;
  }
  // glTF's decoding of normalized integers: signed c / (2^(b-1) − 1) clamped to −1, unsigned c / (2^b − 1).
  const max =
    src instanceof Int8Array ? 127 : src instanceof Uint8Array ? 255 : src instanceof Int16Array ? 32767 : src instanceof Uint16Array ? 65535 : 1;
  const signed = src instanceof Int8Array || src instanceof Int16Array;
  for (let i = 0; i < src.length; i++) out[i] = signed ? Math.max(src[i]! / max, -1) : src[i]! / max;
  return out;
}

/** Applies a column-major 4x4 matrix to packed xyz (`affine`: include translation). */
function transformPoints(xyz: Float32Array, m: ArrayLike<number>, affine: boolean): void {
  const t = affine ? 1 : 0;
  for (let i = 0; i < xyz.length; i += 3) {
    const x = xyz[i]!, y = xyz[i + 1]!, z = xyz[i + 2]!;
    xyz[i] = m[0]! * x + m[4]! * y + m[8]! * z + t * m[12]!;
    xyz[i + 1] = m[1]! * x + m[5]! * y + m[9]! * z + t * m[13]!;
    xyz[i + 2] = m[2]! * x + m[6]! * y + m[10]! * z + t * m[14]!;
  }
}

function decodeArkitMap(map: NonNullable<FaceModelExtras['arkitMap']>, inputs: number): ArkitMap {
  const n = map.row.length;
  if (map.column.length !== n || map.weight.length !== n || map.row.some((r) => !(r >= 0 && r < 52)) || map.column.some((c) => !(c >= 0 && c < inputs))) {
    modelFormatError(`The face model's ARKit map is malformed (rows must be 0–51, columns 0–${inputs - 1}, three arrays of one length).`);
  }
  return { row: Uint8Array.from(map.row), column: Uint16Array.from(map.column), weight: Float32Array.from(map.weight) };
}

function decodeArkitProjection(projection: NonNullable<FaceModelExtras['arkitProjection']>, inputs: number): ArkitProjection {
  const m = projection.rows.length;
  const sizes = { gram: m * m, basis: m * inputs, shapes: m * inputs, eyeMetric: inputs * inputs, otherMetric: inputs * inputs } as const;
  const keys = Object.keys(sizes) as (keyof typeof sizes)[];
  if (projection.rows.some((r) => !(r >= 0 && r < 52)) || keys.some((key) => projection[key]?.length !== sizes[key])) {
    modelFormatError(
      `The face model's ARKit projection is malformed: rows must be 0–51, and for ${m} rows and ${inputs} inputs the sizes ${keys.map((key) => `${key} ${sizes[key]}`).join(', ')}.`,
    );
  }
  const [gram, basis, shapes, eyeMetric, otherMetric] = keys.map((key) => Float32Array.from(projection[key]));
  return { rows: Uint8Array.from(projection.rows), gram: gram!, basis: basis!, shapes: shapes!, eyeMetric: eyeMetric!, otherMetric: otherMetric! };
}
