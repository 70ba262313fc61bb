/**
 * FaceAvatar in Node (no rendering): three.js's own CPU evaluation of the posed mesh
 * (`getVertexPosition`: morphs, then skinning) against the core evaluator, the overlay camera's
 * projection against `projectCameraPoints`, the region materials and dispose().
 */
import { readFileSync } from 'node:fs';
import { Mesh, PerspectiveCamera, Vector3 } from 'three';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectCameraPoints, transformToCamera } from '../../src/core/camera.js';
import { FaceModelEvaluator } from '../../src/core/model/FaceModelEvaluator.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { MEDIAPIPE_BLENDSHAPES } from '../../src/core/arkit.js';
import type { EyeRig } from '../../src/sdk/three/EyeRig.js';
import { EYE_PITCH_MAX_RAD, EYE_YAW_MAX_RAD } from '../../src/core/eyeGaze.js';
import { FaceAvatar } from '../../src/sdk/three/FaceAvatar.js';
import { FACE_REGIONS } from '../../src/sdk/three/faceRegions.js';
import { parseFaceModel } from '../../src/sdk/three/loadFaceModel.js';
import { setCameraFromPinhole } from '../../src/sdk/three/setCameraFromPinhole.js';
import { syntheticFrame, tinySkinnedModelGlb } from '../fixtures/synthetic.js';

const bytes = new Uint8Array(readFileSync(new URL('../../models/face-default.glb', import.meta.url)));

/** Posed vertices of the avatar's mesh in the avatar's parent space, as three.js computes them on the CPU. */
function posedVertices(avatar: FaceAvatar, vertices: number[]): number[][] {
  avatar.updateMatrixWorld(true);
  (avatar.mesh as { skeleton?: { update(): void } }).skeleton?.update();
  const v = new Vector3();
  return vertices.map((i) => {
    avatar.mesh.getVertexPosition(i, v);
    return v.applyMatrix4(avatar.mesh.matrixWorld).toArray();
  });
}

describe('FaceAvatar on the default model', () => {
  let model: FaceModel;
  beforeAll(async () => {
    model = await readFaceModel(bytes);
  });

  it('poses the mesh as the fitter does: p_cam = R·(T + S·β + E·ψ) + t', async () => {
    const avatar = new FaceAvatar(await parseFaceModel(bytes), { overlay: true });
    const frame = syntheticFrame(model.identity.names.length, model.expression.names.length);
    avatar.apply(frame);
    const sample = [0, 1234, 5000, 9000, 20000, 26000];
    const got = posedVertices(avatar, sample);
    const expected = transformToCamera(
      new FaceModelEvaluator(model).evaluateMesh({ identity: frame.identity, expression: frame.expression }),
      frame.pose.rotation,
      frame.pose.translation,
    );
    sample.forEach((v, i) => got[i]!.forEach((x, c) => expect(x).toBeCloseTo(expected[3 * v + c]!, 3)));
  });

  it('projects through setCameraFromPinhole where the fit projects (u = cx + f·x/(−z), v = cy − f·y/(−z))', async () => {
    const avatar = new FaceAvatar(await parseFaceModel(bytes), { overlay: true });
    const frame = syntheticFrame(100, 53);
    avatar.apply(frame);
    const camera = setCameraFromPinhole(new PerspectiveCamera(), frame.camera);
    const points = posedVertices(avatar, [10, 2000, 7000]);
    const expected = projectCameraPoints(points.flat(), frame.camera);
    points.forEach((p, i) => {
      const ndc = new Vector3(...p).project(camera);
      expect((ndc.x + 1) / 2 * frame.camera.width).toBeCloseTo(expected[2 * i]!, 2);
      expect((1 - ndc.y) / 2 * frame.camera.height).toBeCloseTo(expected[2 * i + 1]!, 2);
    });
  });

  it('turns the eyeballs from MediaPipe\'s eyeLook scores (the model\'s own eyeLook shapes move only the lids)', async () => {
    const avatar = new FaceAvatar(await parseFaceModel(bytes));
    const frame = syntheticFrame(100, 53);
    frame.mediapipeBlendshapes.fill(0);
    frame.mediapipeBlendshapes[MEDIAPIPE_BLENDSHAPES.indexOf('eyeLookOutLeft')] = 1;
    frame.mediapipeBlendshapes[MEDIAPIPE_BLENDSHAPES.indexOf('eyeLookUpRight')] = 1;
    avatar.apply(frame);
    const uniforms = (avatar as unknown as { eyes: EyeRig }).eyes.uniforms;
    const left = new Vector3(0, 0, 1).applyMatrix3(uniforms.eyeRotation.value[0]!);
    const right = new Vector3(0, 0, 1).applyMatrix3(uniforms.eyeRotation.value[1]!);
    expect(left.x).toBeCloseTo(Math.sin(EYE_YAW_MAX_RAD), 6); // towards the subject's left
    expect(right.y).toBeCloseTo(Math.sin(EYE_PITCH_MAX_RAD), 6); // up
    // The centres sit in the eye sockets, left eye on +X, and move with the identity morphs.
    const [cl, cr] = uniforms.eyeCenter.value.map((c) => c.clone().applyMatrix4(avatar.mesh.matrix));
    expect(cl!.x).toBeGreaterThan(2);
    expect(cr!.x).toBeLessThan(-2);
    frame.identity.fill(0);
    avatar.apply(frame);
    expect(uniforms.eyeCenter.value[0]!.clone().applyMatrix4(avatar.mesh.matrix).distanceTo(cl!)).toBeGreaterThan(0.01);
  });

  it('turns the head in place in avatar mode', async () => {
    const avatar = new FaceAvatar(await parseFaceModel(bytes));
    avatar.apply(syntheticFrame(100, 53));
    expect(avatar.head.position.toArray()).toEqual([0, 0, 0]);
    expect(avatar.head.quaternion.w).toBeLessThan(0.999);
  });

  it('dresses each ICT part in its own material and hides the eye shader shells and lashes', async () => {
    const avatar = new FaceAvatar(await parseFaceModel(bytes));
    const materials = avatar.mesh.material as { name: string; visible: boolean }[];
    expect(materials.map((m) => m.name)).toEqual([...FACE_REGIONS]);
    const groups = avatar.mesh.geometry.groups;
    const triangles = Object.fromEntries(groups.map((g) => [FACE_REGIONS[g.materialIndex!], g.count / 3]));
    // ICT's README: teeth 4490 faces, outer eyeball shells 2×800, lashes 2×540 and more hidden shells.
    expect(triangles.teeth).toBeGreaterThanOrEqual(4490);
    expect(triangles.eye).toBeGreaterThanOrEqual(2 * 800);
    expect(triangles.hidden).toBeGreaterThan(2 * 540);
    expect(materials[FACE_REGIONS.indexOf('hidden')]!.visible).toBe(false);
    const total = groups.reduce((a, g) => a + g.count, 0);
    expect(total).toBe(avatar.mesh.geometry.index!.count);
    // Each eyeball vertex knows its direction from the eye's centre (the painted iris needs it): unit, and the
    // front of the eye (+Z) is where the model looks.
    const eyeDirection = avatar.mesh.geometry.getAttribute('eyeDirection');
    const eyeGroup = groups.find((g) => FACE_REGIONS[g.materialIndex!] === 'eye')!;
    const vertex = avatar.mesh.geometry.index!.getX(eyeGroup.start);
    expect(Math.hypot(eyeDirection.getX(vertex), eyeDirection.getY(vertex), eyeDirection.getZ(vertex))).toBeCloseTo(1, 5);
    // Lips and brows are tinted, the forehead is not.
    const color = avatar.mesh.geometry.getAttribute('color');
    const tinted = Array.from({ length: color.count }, (_, v) => color.getY(v)).filter((g) => g < 0.9).length;
    expect(tinted).toBeGreaterThan(100);
  });

  it('dispose() frees geometry and materials and leaves the parent', async () => {
    const avatar = new FaceAvatar(await parseFaceModel(bytes));
    const parent = new Mesh();
    parent.add(avatar);
    const disposed: string[] = [];
    avatar.mesh.geometry.addEventListener('dispose', () => disposed.push('geometry'));
    for (const m of avatar.mesh.material as { addEventListener(t: string, f: () => void): void }[]) m.addEventListener('dispose', () => disposed.push('material'));
    avatar.dispose();
    expect(avatar.parent).toBeNull();
    expect(disposed.filter((d) => d === 'geometry')).toHaveLength(1);
    expect(disposed.filter((d) => d === 'material')).toHaveLength(FACE_REGIONS.length);
  });
});

describe('FaceAvatar on a skinned model', () => {
  it('follows joint rotations, shape-dependent joint centres and pose correctives like the core evaluator', async () => {
    const { glb, model } = await tinySkinnedModelGlb();
    const avatar = new FaceAvatar(await parseFaceModel(glb), { overlay: true });
    const frame = syntheticFrame(model.identity.names.length, model.expression.names.length);
    frame.jointRotations = Float32Array.from([0, 0, 0, 0.1, -0.2, 0.05, 0.35, 0.02, -0.04]);
    avatar.apply(frame);
    const all = Array.from({ length: model.vertexCount }, (_, i) => i);
    const got = posedVertices(avatar, all);
    const expected = transformToCamera(
      new FaceModelEvaluator(model).evaluateMesh({ identity: frame.identity, expression: frame.expression, jointRotations: frame.jointRotations }),
      frame.pose.rotation,
      frame.pose.translation,
    );
    all.forEach((v) => got[v]!.forEach((x, c) => expect(x).toBeCloseTo(expected[3 * v + c]!, 4)));
  });
});
