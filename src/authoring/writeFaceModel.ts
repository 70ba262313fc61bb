import { Accessor, Document, PropertyType, WebIO, type Node, type Primitive } from '@gltf-transform/core';
import { EXTMeshoptCompression, KHRMeshQuantization } from '@gltf-transform/extensions';
import { prune, quantize } from '@gltf-transform/functions';
import { MeshoptEncoder } from 'meshoptimizer';
import type { BlendshapeGroup, FaceModel, SurfaceEmbedding } from '../core/model/FaceModel.js';
import { FACE_MODEL_FORMAT, FACE_MODEL_VERSION, type FaceModelExtras, type GroupExtras } from '../core/model/faceModelSchema.js';
import { computeVertexNormals } from '../core/model/normals.js';
import { restJointPositions } from '../core/model/skinning.js';

export interface WriteFaceModelOptions {
  /**
   * Store positions, morph deltas and UVs as 16-bit normalized integers (KHR_mesh_quantization)
   * and compress buffers with meshopt (EXT_meshopt_compression). Lossy at about 1e-5 of the
   * model's size; refused for skinned models, whose fit needs exact float data.
   */
  compress?: boolean;
}

/** Serializes a face model to the `.glb` layout that `readFaceModel` and three.js read. */
export async function writeFaceModel(model: FaceModel, options: WriteFaceModelOptions = {}): Promise<Uint8Array> {
  if (options.compress && model.skeleton) throw new Error('writeFaceModel: compress is for unskinned models only');
  const doc = new Document();
  const buffer = doc.createBuffer();
  // Copies: the document keeps its own arrays, and glTF-Transform wants ArrayBuffer-backed ones.
  const vec = (type: 'VEC2' | 'VEC3', array: Float32Array) =>
    doc.createAccessor().setType(type).setArray(Float32Array.from(array)).setBuffer(buffer);

  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', vec('VEC3', model.template))
    .setAttribute('NORMAL', vec('VEC3', computeVertexNormals(model.template, model.triangles)))
    .setAttribute('TEXCOORD_0', vec('VEC2', model.uvs))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(Uint32Array.from(model.triangles)).setBuffer(buffer));

  const groups = [model.identity, model.expression, model.poseCorrectives].filter((g): g is BlendshapeGroup => !!g);
  const stride = model.vertexCount * 3;
  for (const group of groups) {
    for (let k = 0; k < group.names.length; k++) {
      const deltas = group.deltas.slice(k * stride, (k + 1) * stride);
      prim.addTarget(doc.createPrimitiveTarget(group.names[k]).setAttribute('POSITION', vec('VEC3', deltas)));
    }
  }
  const targetNames = groups.flatMap((g) => [...g.names]);
  const mesh = doc.createMesh(model.name).addPrimitive(prim).setWeights(new Array(targetNames.length).fill(0));
  mesh.setExtras({ targetNames, pixel3dmm: buildExtras(model) });

  const meshNode = doc.createNode(model.name).setMesh(mesh);
  const scene = doc.createScene(model.name).addChild(meshNode);
  if (model.skeleton) addSkin(doc, model, prim, meshNode, scene.addChild.bind(scene));
  doc.getRoot().setDefaultScene(scene);
  doc.getRoot().getAsset().generator = 'pixel3dmm-web';

  const io = new WebIO().registerExtensions([KHRMeshQuantization, EXTMeshoptCompression]);
  if (options.compress) {
    await doc.transform(
      quantize({ quantizePosition: 16, quantizeTexcoord: 16, quantizeNormal: 10, cleanup: false }),
      // quantize() leaves the float originals in the document; unpruned they are written too.
      prune({ propertyTypes: [PropertyType.ACCESSOR], keepAttributes: true, keepIndices: true }),
    );
    await MeshoptEncoder.ready;
    doc.createExtension(EXTMeshoptCompression).setRequired(true).setEncoderOptions({
      method: EXTMeshoptCompression.EncoderMethod.QUANTIZE,
    });
    io.registerDependencies({ 'meshopt.encoder': MeshoptEncoder });
  }
  return io.writeBinary(doc);
}

function buildExtras(model: FaceModel): FaceModelExtras {
  let start = 0;
  const group = (g: BlendshapeGroup): GroupExtras => {
    const out: GroupExtras = { start, count: g.names.length, std: [...g.std] };
    if (g.min) out.min = [...g.min];
    if (g.max) out.max = [...g.max];
    start += g.names.length;
    return out;
  };
  const embedding = (e: SurfaceEmbedding) => ({ vertices: [...e.vertices], weights: [...e.weights] });
  const extras: FaceModelExtras = {
    format: FACE_MODEL_FORMAT,
    version: FACE_MODEL_VERSION,
    name: model.name,
    units: model.units,
    metersPerUnit: model.metersPerUnit,
    uvLayout: model.uvLayout,
    licence: model.licence,
    source: model.source,
    groups: { identity: group(model.identity), expression: group(model.expression) },
    fittingRegion: [...model.fittingRegion],
  };
  if (model.poseCorrectives) extras.groups.poseCorrectives = group(model.poseCorrectives);
  if (model.skeleton) {
    const s = model.skeleton;
    extras.skeleton = {
      jointNames: [...s.jointNames],
      parents: [...s.parents],
      influences: s.influences,
      regressor: { joint: [...s.regressor.joint], vertex: [...s.regressor.vertex], weight: [...s.regressor.weight] },
    };
  }
  if (model.mediapipe478) extras.mediapipe478 = embedding(model.mediapipe478);
  if (model.multipie68) extras.multipie68 = embedding(model.multipie68);
  if (model.sourceVertex) extras.sourceVertex = [...model.sourceVertex];
  if (model.arkitMap) extras.arkitMap = { row: [...model.arkitMap.row], column: [...model.arkitMap.column], weight: [...model.arkitMap.weight] };
  if (model.arkitProjection) {
    const { rows, gram, basis, shapes, eyeMetric, otherMetric } = model.arkitProjection;
    extras.arkitProjection = { rows: [...rows], gram: [...gram], basis: [...basis], shapes: [...shapes], eyeMetric: [...eyeMetric], otherMetric: [...otherMetric] };
  }
  return extras;
}

/** A glTF skin whose joints sit at the template's rest joint positions, so three.js can pose it. */
function addSkin(doc: Document, model: FaceModel, prim: Primitive, meshNode: Node, addToScene: (n: Node) => unknown): void {
  const skeleton = model.skeleton!;
  const rest = restJointPositions(model, model.template);
  const joints: Node[] = [];
  const ibm = new Float32Array(16 * skeleton.jointNames.length);
  skeleton.jointNames.forEach((name, j) => {
    const p = skeleton.parents[j]!;
    const local = [0, 1, 2].map((c) => rest[3 * j + c]! - (p >= 0 ? rest[3 * p + c]! : 0)) as [number, number, number];
    const node = doc.createNode(name).setTranslation(local);
    if (p >= 0) joints[p]!.addChild(node);
    else addToScene(node);
    joints.push(node);
    ibm.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -rest[3 * j]!, -rest[3 * j + 1]!, -rest[3 * j + 2]!, 1], 16 * j);
  });
  const buffer = doc.getRoot().listBuffers()[0]!;
  const skin = doc
    .createSkin('skin')
    .setSkeleton(joints[0]!)
    .setInverseBindMatrices(doc.createAccessor().setType('MAT4').setArray(ibm).setBuffer(buffer));
  joints.forEach((j) => skin.addJoint(j));
  meshNode.setSkin(skin);

  // glTF carries influences in sets of four.
  const n = model.vertexCount;
  const sets = Math.ceil(skeleton.influences / 4);
  for (let s = 0; s < sets; s++) {
    const jIdx = new Uint16Array(n * 4);
    const w = new Float32Array(n * 4);
    for (let v = 0; v < n; v++) {
      for (let c = 0; c < 4; c++) {
        const i = s * 4 + c;
        if (i >= skeleton.influences) continue;
        jIdx[v * 4 + c] = skeleton.skinJoints[v * skeleton.influences + i]!;
        w[v * 4 + c] = skeleton.skinWeights[v * skeleton.influences + i]!;
      }
    }
    prim.setAttribute(`JOINTS_${s}`, doc.createAccessor().setType(Accessor.Type.VEC4).setArray(jIdx).setBuffer(buffer));
    prim.setAttribute(`WEIGHTS_${s}`, doc.createAccessor().setType(Accessor.Type.VEC4).setArray(w).setBuffer(buffer));
  }
}
