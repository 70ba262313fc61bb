import { Accessor, type Document, type Mesh, type Node, type Primitive, WebIO } from '@gltf-transform/core';
import { EXTMeshoptCompression, KHRMeshQuantization } from '@gltf-transform/extensions';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import { TrackerError } from '../../core/errors.js';
import { axisAngleToMatrix, axisAngleToQuaternion } from '../../core/math/rotation.js';
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import type { FaceModelExtras } from '../../core/model/faceModelSchema.js';
import { computeVertexNormals } from '../../core/model/normals.js';
import { readFaceModel, toFloat32 } from '../../core/model/readFaceModel.js';
import { poseFeature } from '../../core/model/skinning.js';
import type { TakeFrame, TakeSource } from './TakeData.js';
import { TAKE_FORMAT, TAKE_VERSION } from './takeSchema.js';

export interface TakeGlbOptions {
  /**
   * Keep the model's 16-bit quantization and meshopt compression: a file several times smaller
   * for three.js and other web loaders (with their meshopt decoder), which DCC tools such as
   * Blender may not open. Default false: plain float32 data, no extensions.
   */
  compress?: boolean;
}

/**
 * The face model's `.glb` with the take as a glTF animation named "take":
 *
 * ```
 * scene
 * ├─ take    (scale: metersPerUnit, so the file is in meters as glTF viewers expect)
 * │  └─ head (animated: rotation, translation in model units, the camera-space head pose)
 * │     └─ the model's own nodes: the face mesh (animated: morph weights), its joints (animated: rotations)
 * └─ camera  (at the origin, looking down −Z: the tracking camera's vertical field of view)
 * ```
 *
 * The take's identity (the face's shape) is baked into the mesh, with normals recomputed, and
 * the identity morph targets are dropped: what remains are the expression targets (ARKit-named
 * for the default model) and, for skinned models, the pose correctives, animated per frame.
 * Skinned models get their joint rest positions for the take's identity (glTF joints cannot
 * move with expression; FLAME's small expression-driven joint shifts are left out). Linear
 * interpolation between frames.
 */
export async function takeToGlb(take: TakeSource, modelBytes: Uint8Array, options: TakeGlbOptions = {}): Promise<Uint8Array> {
  await Promise.all([MeshoptDecoder.ready, MeshoptEncoder.ready]);
  const io = new WebIO()
    .registerExtensions([KHRMeshQuantization, EXTMeshoptCompression])
    .registerDependencies({ 'meshopt.decoder': MeshoptDecoder, 'meshopt.encoder': MeshoptEncoder });
  const doc = await io.readBinary(modelBytes);
  const mesh = doc.getRoot().listMeshes().find((m) => (m.getExtras() as { pixel3dmm?: unknown }).pixel3dmm);
  if (!mesh) throw new TrackerError('invalid-input', 'toGLB needs the face model .glb the take was tracked with; this file has no face model mesh.');
  const extras = (mesh.getExtras() as { pixel3dmm: FaceModelExtras }).pixel3dmm;
  checkModelMatches(take, mesh, extras);
  const meshNode = doc.getRoot().listNodes().find((n) => n.getMesh() === mesh)!;

  if (extras.skeleton) await shapeSkeleton(meshNode, modelBytes, take.identity);
  const baked = bakeIdentity(doc, mesh, extras, take.identity);
  if (!options.compress) plainFloats(doc, mesh);
  const { head, root } = wrapScene(doc, extras.metersPerUnit);
  addCamera(doc, take);

  const buffer = doc.getRoot().listBuffers()[0]!;
  const accessor = (type: 'SCALAR' | 'VEC3' | 'VEC4', array: Float32Array<ArrayBuffer>) => doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const animation = doc.createAnimation('take').setExtras({ format: TAKE_FORMAT, version: TAKE_VERSION, startedAt: take.startedAt.toISOString() });
  const n = take.frameCount;
  const targetCount = baked.groups.expression.count + (baked.groups.poseCorrectives?.count ?? 0);
  const jointCount = extras.skeleton ? meshNode.getSkin()!.listJoints().length : 0;
  const times = new Float32Array(n);
  const weights = new Float32Array(n * targetCount);
  const rotations = new Float32Array(4 * n);
  const translations = new Float32Array(3 * n);
  const jointQuaternions = Array.from({ length: jointCount }, () => new Float32Array(4 * n));
  const q = new Float64Array(4);
  // One pass over the frames, read one at a time from the take's columns.
  for (let i = 0; i < n; i++) {
    const frame = take.frameAt(i);
    times[i] = frame.timeMs / 1000;
    weights.set(weightsAt(frame, baked, targetCount), i * targetCount);
    rotations.set(axisAngleToQuaternion(frame.pose.rotation[0], frame.pose.rotation[1], frame.pose.rotation[2], q), 4 * i);
    translations.set(frame.pose.translation, 3 * i);
    jointQuaternions.forEach((out, j) => {
      const r = frame.jointRotations?.subarray(3 * j, 3 * j + 3) ?? [0, 0, 0];
      out.set(axisAngleToQuaternion(r[0]!, r[1]!, r[2]!, q), 4 * i);
    });
  }
  const input = accessor('SCALAR', times);
  const channel = (node: Node, path: 'rotation' | 'translation' | 'weights', output: Float32Array<ArrayBuffer>, type: 'SCALAR' | 'VEC3' | 'VEC4') => {
    const sampler = doc.createAnimationSampler().setInput(input).setOutput(accessor(type, output)).setInterpolation('LINEAR');
    animation.addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(node).setTargetPath(path).setSampler(sampler));
  };
  channel(meshNode, 'weights', weights, 'SCALAR');
  channel(head, 'rotation', rotations, 'VEC4');
  channel(head, 'translation', translations, 'VEC3');
  if (extras.skeleton) meshNode.getSkin()!.listJoints().forEach((joint, j) => channel(joint, 'rotation', jointQuaternions[j]!, 'VEC4'));
  root.setExtras({ pixel3dmm: { take: { format: TAKE_FORMAT, version: TAKE_VERSION, model: take.model.name, identity: Array.from(take.identity) } } });
  return io.writeBinary(doc);
}

/** Morph weights of a frame in the baked mesh's target order (expression, then pose correctives). */
function weightsAt(frame: TakeFrame, extras: FaceModelExtras, targetCount: number): Float32Array {
  const { expression, poseCorrectives } = extras.groups;
  const out = new Float32Array(targetCount);
  out.set(frame.expression.subarray(0, expression.count), expression.start);
  if (poseCorrectives && extras.skeleton && frame.jointRotations) {
    const n = extras.skeleton.jointNames.length;
    const local = new Float64Array(9 * n);
    for (let j = 0; j < n; j++) axisAngleToMatrix(frame.jointRotations[3 * j]!, frame.jointRotations[3 * j + 1]!, frame.jointRotations[3 * j + 2]!, local.subarray(9 * j, 9 * j + 9));
    out.set(poseFeature(local, n), poseCorrectives.start);
  }
  return out;
}

/**
 * Adds the identity morph targets, weighted by the take's identity, to the base positions
 * (in the mesh's own, possibly quantized, frame), recomputes the normals and removes those
 * targets. Returns the mesh's extras with the groups renumbered (identity: none).
 */
function bakeIdentity(doc: Document, mesh: Mesh, extras: FaceModelExtras, identity: Float32Array): FaceModelExtras {
  const { identity: group } = extras.groups;
  for (const prim of mesh.listPrimitives()) {
    const targets = prim.listTargets();
    const positions = toFloat32(prim.getAttribute('POSITION')!);
    for (let k = 0; k < group.count; k++) {
      const c = identity[k] ?? 0;
      const delta = targets[group.start + k]!.getAttribute('POSITION');
      if (c !== 0 && delta) toFloat32(delta).forEach((d, i) => (positions[i]! += c * d));
    }
    replaceAttribute(doc, prim, 'POSITION', positions);
    replaceAttribute(doc, prim, 'NORMAL', computeVertexNormals(positions, prim.getIndices()!.getArray()!));
    for (const target of targets.slice(group.start, group.start + group.count)) {
      prim.removeTarget(target);
      target.listSemantics().forEach((s) => target.getAttribute(s)!.dispose());
      target.dispose();
    }
  }
  const shift = (g: FaceModelExtras['groups']['expression']) => ({ ...g, start: g.start - (g.start > group.start ? group.count : 0) });
  const groups: FaceModelExtras['groups'] = { identity: { start: 0, count: 0, std: [] }, expression: shift(extras.groups.expression) };
  if (extras.groups.poseCorrectives) groups.poseCorrectives = shift(extras.groups.poseCorrectives);
  const names = (mesh.getExtras().targetNames as string[]).filter((_, i) => i < group.start || i >= group.start + group.count);
  const baked = { ...extras, groups };
  mesh.setExtras({ ...mesh.getExtras(), targetNames: names, pixel3dmm: baked }).setWeights(names.map(() => 0));
  return baked;
}

/** Turns every quantized attribute of the mesh to float32 and drops the compression extensions (widest tool support). */
function plainFloats(doc: Document, mesh: Mesh): void {
  for (const prim of mesh.listPrimitives()) {
    const accessors = [...prim.listAttributes(), ...prim.listTargets().flatMap((t) => t.listAttributes())];
    for (const a of accessors) {
      if (a.getComponentType() !== Accessor.ComponentType.FLOAT && a.getNormalized()) a.setArray(toFloat32(a) as Float32Array<ArrayBuffer>).setNormalized(false);
    }
  }
  for (const extension of doc.getRoot().listExtensionsUsed()) {
    if (extension.extensionName === KHRMeshQuantization.EXTENSION_NAME || extension.extensionName === EXTMeshoptCompression.EXTENSION_NAME) extension.dispose();
  }
}

function replaceAttribute(doc: Document, prim: Primitive, semantic: string, values: Float32Array): void {
  const old = prim.getAttribute(semantic);
  const accessor: Accessor = doc.createAccessor().setType('VEC3').setArray(Float32Array.from(values)).setBuffer(doc.getRoot().listBuffers()[0]!);
  prim.setAttribute(semantic, accessor);
  if (old && old.listParents().every((p) => p.propertyType === 'Root')) old.dispose();
}

/** Moves everything in the default scene below `take` (meters) → `head` (the animated pose). */
function wrapScene(doc: Document, metersPerUnit: number): { head: Node; root: Node } {
  const scene = doc.getRoot().getDefaultScene() ?? doc.getRoot().listScenes()[0]!;
  const head = doc.createNode('head');
  for (const child of scene.listChildren()) head.addChild(child);
  const root = doc.createNode('take').setScale([metersPerUnit, metersPerUnit, metersPerUnit]).addChild(head);
  scene.addChild(root);
  return { head, root };
}

/** The tracking camera at the origin (glTF cameras look down −Z, as the tracker's does). */
function addCamera(doc: Document, take: TakeSource): void {
  const { focalPx, width, height } = take.camera;
  const camera = doc.createCamera('tracking camera').setType('perspective').setYFov(2 * Math.atan(height / (2 * focalPx))).setAspectRatio(width / height).setZNear(0.01).setZFar(100);
  const scene = doc.getRoot().getDefaultScene() ?? doc.getRoot().listScenes()[0]!;
  scene.addChild(doc.createNode('camera').setCamera(camera));
}

/** Skinned models: joint rest positions (and inverse bind matrices) for the take's identity. */
async function shapeSkeleton(meshNode: Node, modelBytes: Uint8Array, identity: Float32Array): Promise<void> {
  const model = await readFaceModel(modelBytes);
  const rest = new FaceModelEvaluator(model).restJoints({ identity });
  const skin = meshNode.getSkin()!;
  const parents = model.skeleton!.parents;
  const ibm = new Float32Array(16 * parents.length);
  skin.listJoints().forEach((joint, j) => {
    const p = parents[j]!;
    joint.setTranslation([0, 1, 2].map((c) => rest[3 * j + c]! - (p >= 0 ? rest[3 * p + c]! : 0)) as [number, number, number]);
    ibm.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -rest[3 * j]!, -rest[3 * j + 1]!, -rest[3 * j + 2]!, 1], 16 * j);
  });
  skin.getInverseBindMatrices()!.setArray(ibm);
}

function checkModelMatches(take: TakeSource, mesh: Mesh, extras: FaceModelExtras): void {
  const names = (mesh.getExtras().targetNames as string[] | undefined)?.slice(extras.groups.expression.start, extras.groups.expression.start + extras.groups.expression.count);
  const same = extras.groups.identity.count === take.model.identityCount && names?.length === take.model.expressionNames.length && names.every((n, i) => n === take.model.expressionNames[i]);
  if (!same) {
    throw new TrackerError('invalid-input', `toGLB: this take was tracked with the face model "${take.model.name}"; the .glb given is "${extras.name}" with other morph targets. Pass the same model file.`, {
      take: take.model.name,
      model: extras.name,
    });
  }
}
