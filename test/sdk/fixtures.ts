/** Synthetic inputs for the SDK's pure-part tests: frames and a tiny skinned face model. */
import { ARKIT_BLENDSHAPES } from '../../src/core/arkit.js';
import type { FaceFrame } from '../../src/core/FaceFrame.js';
import { axisAngleToMatrix, matrixToYawPitchRoll } from '../../src/core/math/rotation.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { writeFaceModel } from '../../src/core/model/writeFaceModel.js';

/** A frame with a turned head 50 cm in front of a 640x480 camera and some of every coefficient; `k` varies it. */
export function syntheticFrame(identityCount: number, expressionCount: number, k = 0): FaceFrame {
  const rotation: [number, number, number] = [0.1 + 0.01 * k, -0.3 + 0.02 * k, 0.05];
  const ypr = matrixToYawPitchRoll(axisAngleToMatrix(...rotation));
  return {
    time: 1000 + 33.3 * k,
    videoTime: 1 + k / 30,
    width: 640,
    height: 480,
    pose: { rotation, translation: [1.5, -2 + 0.1 * k, -50], ...ypr },
    identity: Float32Array.from({ length: identityCount }, (_, i) => Math.sin(i + 1) * 0.8),
    expression: Float32Array.from({ length: expressionCount }, (_, i) => (0.5 + 0.5 * Math.sin(i * 1.7 + k * 0.3)) * 0.6),
    arkit: Float32Array.from(ARKIT_BLENDSHAPES, (_, i) => (0.5 + 0.5 * Math.cos(i + k * 0.2)) * 0.9),
    camera: { focalPx: 560, cx: 322, cy: 236, width: 640, height: 480 },
    landmarks2d: new Float32Array(956),
    mediapipeLandmarks: new Float32Array(956),
    crop: { x: 200, y: 120, size: 240 },
    mediapipeBlendshapes: Float32Array.from({ length: 52 }, (_, i) => 0.05 * ((i + k) % 7)),
    timings: { landmarksMs: 5, fitMs: 2, workerMs: 8, latencyMs: 20 },
    fit: { iterations: 3, landmarkRmsPx: 1, denseCount: 0, identityFrozen: true },
  };
}

/**
 * A FLAME-shaped toy: a 5x5 sheet of vertices (cm) with root → neck → jaw joints (the jaw moves
 * the lower rows), two identity and two expression shapes, and pose correctives for the two
 * non-root joints. Written by the SDK's own writer, uncompressed as skinned models are.
 */
export async function tinySkinnedModelGlb(): Promise<{ glb: Uint8Array; model: FaceModel }> {
  const side = 5;
  const n = side * side;
  const template = new Float32Array(3 * n);
  const uvs = new Float32Array(2 * n);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const v = r * side + c;
      template.set([(c - 2) * 3, (2 - r) * 3, 8 - 0.3 * (c - 2) ** 2], 3 * v);
      uvs.set([c / 4, r / 4], 2 * v);
    }
  }
  const triangles: number[] = [];
  for (let r = 0; r < side - 1; r++) {
    for (let c = 0; c < side - 1; c++) {
      const v = r * side + c;
      triangles.push(v, v + side, v + 1, v + 1, v + side, v + side + 1);
    }
  }
  const deltas = (count: number, seed: number) => Float32Array.from({ length: count * 3 * n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.4);
  // Joints: root from the middle row, neck from the row below, jaw from the bottom row.
  const regressor = { joint: [] as number[], vertex: [] as number[], weight: [] as number[] };
  [[0, 2], [1, 3], [2, 4]].forEach(([joint, row]) => {
    for (let c = 0; c < side; c++) {
      regressor.joint.push(joint!);
      regressor.vertex.push(row! * side + c);
      regressor.weight.push(1 / side);
    }
  });
  const skinJoints = new Uint16Array(3 * n);
  const skinWeights = new Float32Array(3 * n);
  for (let v = 0; v < n; v++) {
    const row = Math.floor(v / side);
    skinJoints.set([0, 1, 2], 3 * v);
    skinWeights.set(row < 2 ? [1, 0, 0] : row === 2 ? [0.2, 0.6, 0.2] : row === 3 ? [0, 0.5, 0.5] : [0, 0, 1], 3 * v);
  }
  const model: FaceModel = {
    name: 'tiny-skinned', units: 'cm', metersPerUnit: 0.01, uvLayout: 'tiny', licence: 'MIT', source: 'test fixture',
    vertexCount: n, template, uvs, triangles: Uint32Array.from(triangles),
    identity: { names: ['shape0', 'shape1'], deltas: deltas(2, 1), std: Float32Array.of(1, 1) },
    expression: { names: ['exp0', 'exp1'], deltas: deltas(2, 2), std: Float32Array.of(1, 1) },
    poseCorrectives: { names: Array.from({ length: 18 }, (_, i) => `pose${i}`), deltas: deltas(18, 3), std: new Float32Array(18).fill(1) },
    skeleton: {
      jointNames: ['root', 'neck', 'jaw'], parents: Int32Array.of(-1, 0, 1), influences: 3, skinJoints, skinWeights,
      regressor: { joint: Uint32Array.from(regressor.joint), vertex: Uint32Array.from(regressor.vertex), weight: Float32Array.from(regressor.weight) },
    },
    fittingRegion: Uint32Array.from({ length: n }, (_, i) => i),
  };
  return { glb: await writeFaceModel(model), model };
}

/**
 * A glTF avatar that is not a face model: a Ready-Player-Me-like hierarchy (Armature → Neck →
 * Head, the head bone with a rest rotation of its own as Blender exports give them), a head
 * mesh whose morph targets are named in a mix of rig conventions, and teeth with their own
 * `jawOpen`. Built with glTF-Transform, read back by three.js in the tests.
 */
export async function mixedConventionAvatarGlb(): Promise<Uint8Array> {
  const { Document, NodeIO } = await import('@gltf-transform/core');
  const doc = new Document();
  const buffer = doc.createBuffer();
  const quad = (y: number) => Float32Array.from([-1, y, 0, 1, y, 0, 1, y + 1, 0, -1, y + 1, 0]);
  const mesh = (name: string, targets: string[], y: number) => {
    const prim = doc
      .createPrimitive()
      .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(quad(y)).setBuffer(buffer))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(Uint16Array.from([0, 1, 2, 0, 2, 3])).setBuffer(buffer));
    targets.forEach((t, k) => {
      const delta = new Float32Array(12).fill(0.01 * (k + 1));
      prim.addTarget(doc.createPrimitiveTarget(t).setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(delta).setBuffer(buffer)));
    });
    const m = doc.createMesh(name).addPrimitive(prim).setWeights(targets.map(() => 0)).setExtras({ targetNames: targets });
    return doc.createNode(name).setMesh(m);
  };
  const head = doc.createNode('Head').setTranslation([0, 0.1, 0]).setRotation([Math.SQRT1_2, 0, 0, Math.SQRT1_2]);
  head.addChild(
    mesh('Wolf3D_Head', [
      'blendShape1.eyeBlink_L', 'EyeBlinkRight', 'jawOpen', 'Mouth_Smile_L', 'mouthSmile_R', 'browInnerUp_L', 'browInnerUp_R',
      'Fcl_EYE_Surprised', 'viseme_aa', 'Brow_Drop_L', 'ARKit_cheekPuff', 'Eye_L_Look_L',
    ], 0),
  );
  head.addChild(mesh('Wolf3D_Teeth', ['jawOpen'], -1));
  const neck = doc.createNode('Neck').setTranslation([0, 1.5, 0]).addChild(head);
  const armature = doc.createNode('Armature').addChild(neck);
  doc.createScene('avatar').addChild(armature);
  return new NodeIO().writeBinary(doc);
}
