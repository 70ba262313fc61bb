import { type Document, type Mesh, type Node, WebIO } from '@gltf-transform/core';
import { EXTMeshoptCompression, KHRMeshQuantization } from '@gltf-transform/extensions';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import { TrackerError } from '../core/errors.js';
import { axisAngleToMatrix, axisAngleToQuaternion } from '../core/math/rotation.js';
import { FaceModelEvaluator } from '../core/model/FaceModelEvaluator.js';
import type { FaceModelExtras } from '../core/model/faceModelSchema.js';
import { readFaceModel } from '../core/model/readFaceModel.js';
import { poseFeature } from '../core/model/skinning.js';
import type { Take } from './Take.js';
import { TAKE_FORMAT, TAKE_VERSION } from './takeSchema.js';

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
 * Morph weights per frame: the take's identity (constant), the frame's expression, and for
 * skinned models the pose correctives of its joint rotations. Skinned models get their joint
 * rest positions for the take's identity (glTF joints cannot move with expression; FLAME's small
 * expression-driven joint shifts are left out). Linear interpolation between frames.
 */
export async function takeToGlb(take: Take, modelBytes: Uint8Array): Promise<Uint8Array> {
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

  const { head, root } = wrapScene(doc, extras.metersPerUnit);
  addCamera(doc, take);
  if (extras.skeleton) await shapeSkeleton(meshNode, modelBytes, take.identity);
  mesh.setWeights(Array.from(weightsAt(take, extras, -1)));

  const buffer = doc.getRoot().listBuffers()[0]!;
  const accessor = (type: 'SCALAR' | 'VEC3' | 'VEC4', array: Float32Array<ArrayBuffer>) => doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const animation = doc.createAnimation('take').setExtras({ format: TAKE_FORMAT, version: TAKE_VERSION, startedAt: take.startedAt.toISOString() });
  const input = accessor('SCALAR', Float32Array.from(take.frames, (f) => f.time));
  const channel = (node: Node, path: 'rotation' | 'translation' | 'weights', output: Float32Array<ArrayBuffer>, type: 'SCALAR' | 'VEC3' | 'VEC4') => {
    const sampler = doc.createAnimationSampler().setInput(input).setOutput(accessor(type, output)).setInterpolation('LINEAR');
    animation.addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(node).setTargetPath(path).setSampler(sampler));
  };
  const targetCount = mesh.listPrimitives()[0]!.listTargets().length;
  const weights = new Float32Array(take.frames.length * targetCount);
  take.frames.forEach((_, i) => weights.set(weightsAt(take, extras, i), i * targetCount));
  channel(meshNode, 'weights', weights, 'SCALAR');
  channel(head, 'rotation', quaternions(take.frames.map((f) => f.pose.rotation)), 'VEC4');
  channel(head, 'translation', Float32Array.from(take.frames.flatMap((f) => f.pose.translation)), 'VEC3');
  if (extras.skeleton) {
    const joints = meshNode.getSkin()!.listJoints();
    joints.forEach((joint, j) => {
      channel(joint, 'rotation', quaternions(take.frames.map((f) => Array.from(f.jointRotations?.subarray(3 * j, 3 * j + 3) ?? [0, 0, 0]))), 'VEC4');
    });
  }
  root.setExtras({ pixel3dmm: { take: { format: TAKE_FORMAT, version: TAKE_VERSION, model: take.model.name } } });
  return io.writeBinary(doc);
}

/** Morph weights of frame `i` (or of the rest pose, identity only, for i = −1), in target order. */
function weightsAt(take: Take, extras: FaceModelExtras, i: number): Float32Array {
  const { identity, expression, poseCorrectives } = extras.groups;
  const out = new Float32Array(identity.count + expression.count + (poseCorrectives?.count ?? 0));
  out.set(take.identity.subarray(0, identity.count), identity.start);
  const frame = take.frames[i];
  if (!frame) return out;
  out.set(frame.expression.subarray(0, expression.count), expression.start);
  if (poseCorrectives && extras.skeleton && frame.jointRotations) {
    const n = extras.skeleton.jointNames.length;
    const local = new Float64Array(9 * n);
    for (let j = 0; j < n; j++) axisAngleToMatrix(frame.jointRotations[3 * j]!, frame.jointRotations[3 * j + 1]!, frame.jointRotations[3 * j + 2]!, local.subarray(9 * j, 9 * j + 9));
    out.set(poseFeature(local, n), poseCorrectives.start);
  }
  return out;
}

function quaternions(rotations: ArrayLike<number>[]): Float32Array<ArrayBuffer> {
  const out = new Float32Array(4 * rotations.length);
  const q = new Float64Array(4);
  rotations.forEach((r, i) => out.set(axisAngleToQuaternion(r[0]!, r[1]!, r[2]!, q), 4 * i));
  return out;
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
function addCamera(doc: Document, take: Take): void {
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

function checkModelMatches(take: Take, mesh: Mesh, extras: FaceModelExtras): void {
  const names = (mesh.getExtras().targetNames as string[] | undefined)?.slice(extras.groups.expression.start, extras.groups.expression.start + extras.groups.expression.count);
  const same = extras.groups.identity.count === take.model.identityCount && names?.length === take.model.expressionNames.length && names.every((n, i) => n === take.model.expressionNames[i]);
  if (!same) {
    throw new TrackerError('invalid-input', `toGLB: this take was tracked with the face model "${take.model.name}"; the .glb given is "${extras.name}" with other morph targets. Pass the same model file.`, {
      take: take.model.name,
      model: extras.name,
    });
  }
}
