/**
 * Recording and export in Node: Recorder on a stand-in tracker, the JSON schema, the Live Link
 * Face CSV layout, and glTF animations read back by three.js's GLTFLoader.
 */
import { readFileSync } from 'node:fs';
import { AnimationMixer, LoopOnce, type Mesh, PerspectiveCamera, Quaternion, Vector3 } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES } from '../../src/core/arkit.js';
import type { FaceFrame } from '../../src/core/FaceFrame.js';
import { FaceModelEvaluator } from '../../src/core/model/FaceModelEvaluator.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { EYE_PITCH_MAX_RAD, EYE_YAW_MAX_RAD } from '../../src/core/eyeGaze.js';
import { LIVE_LINK_CSV_HEADER, timecode } from '../../src/sdk/record/liveLinkCsv.js';
import { Recorder, type RecordableTracker } from '../../src/sdk/record/Recorder.js';
import { Take } from '../../src/sdk/record/Take.js';
import { TAKE_FORMAT, TAKE_VERSION } from '../../src/sdk/record/takeSchema.js';
import { syntheticFrame, tinySkinnedModelGlb } from '../fixtures/synthetic.js';

const defaultModel = new Uint8Array(readFileSync(new URL('../../models/face-default.glb', import.meta.url)));

/** Live Link Face's CSV header, as its importers (Blender, Maya, Unreal) spell it. */
const LIVE_LINK_FACE_HEADER =
  'Timecode,BlendShapeCount,EyeBlinkLeft,EyeLookDownLeft,EyeLookInLeft,EyeLookOutLeft,EyeLookUpLeft,EyeSquintLeft,EyeWideLeft,EyeBlinkRight,EyeLookDownRight,EyeLookInRight,EyeLookOutRight,EyeLookUpRight,EyeSquintRight,EyeWideRight,JawForward,JawRight,JawLeft,JawOpen,MouthClose,MouthFunnel,MouthPucker,MouthRight,MouthLeft,MouthSmileLeft,MouthSmileRight,MouthFrownLeft,MouthFrownRight,MouthDimpleLeft,MouthDimpleRight,MouthStretchLeft,MouthStretchRight,MouthRollLower,MouthRollUpper,MouthShrugLower,MouthShrugUpper,MouthPressLeft,MouthPressRight,MouthLowerDownLeft,MouthLowerDownRight,MouthUpperUpLeft,MouthUpperUpRight,BrowDownLeft,BrowDownRight,BrowInnerUp,BrowOuterUpLeft,BrowOuterUpRight,CheekPuff,CheekSquintLeft,CheekSquintRight,NoseSneerLeft,NoseSneerRight,TongueOut,HeadYaw,HeadPitch,HeadRoll,LeftEyeYaw,LeftEyePitch,LeftEyeRoll,RightEyeYaw,RightEyePitch,RightEyeRoll';

/** A take keeps ARKit weights as 16-bit fractions of [0, 1] (TakeFrameStore): at most this far off. */
const ARKIT_ERROR = 0.5 / 65535 + 1e-9;

/** A tracker stand-in: an EventTarget with the model info the recorder reads. */
function fakeTracker(model: { name: string; identityCount: number; expressionNames: string[]; jointNames?: string[] }) {
  const tracker = new EventTarget() as EventTarget & RecordableTracker;
  (tracker as { info: unknown }).info = { model: { units: 'cm', metersPerUnit: 0.01, uvLayout: 'x', vertexCount: 0, triangleCount: 0, ...model } };
  const emit = (frame: FaceFrame) => tracker.dispatchEvent(new CustomEvent('frame', { detail: frame }));
  return { tracker, emit };
}

/** Records `count` synthetic frames 1/30 s apart for a model with these names. */
function recordTake(expressionNames: string[], identityCount: number, count = 10, jointNames?: string[]): { take: Take; frames: FaceFrame[] } {
  const { tracker, emit } = fakeTracker({ name: 'm', identityCount, expressionNames, ...(jointNames ? { jointNames } : {}) });
  const recorder = new Recorder(tracker);
  const frames = Array.from({ length: count }, (_, k) => {
    const f = syntheticFrame(identityCount, expressionNames.length, k);
    if (jointNames) f.jointRotations = Float32Array.from({ length: 3 * jointNames.length }, (_, i) => (i >= 3 ? 0.05 * Math.sin(i + k) : 0));
    return f;
  });
  frames.forEach(emit);
  return { take: recorder.stop(), frames };
}

let ict: { expressionNames: string[]; identityCount: number };
beforeAll(async () => {
  const model = await readFaceModel(defaultModel);
  ict = { expressionNames: [...model.expression.names], identityCount: model.identity.names.length };
});

describe('Recorder', () => {
  it('records frame events until stop(), with times from the first frame', () => {
    const { tracker, emit } = fakeTracker({ name: 'm', identityCount: 2, expressionNames: ['a', 'b', 'c'] });
    const recorder = new Recorder(tracker);
    expect(() => new Recorder(fakeTracker({ name: 'm', identityCount: 2, expressionNames: [] }).tracker).stop()).toThrow(/before any frame/);
    [0, 1, 2].forEach((k) => emit(syntheticFrame(2, 3, k)));
    expect(recorder.frameCount).toBe(3);
    const take = recorder.stop();
    emit(syntheticFrame(2, 3, 3));
    expect(take.frames).toHaveLength(3);
    expect(recorder.recording).toBe(false);
    expect(recorder.stop()).toBe(take);
    expect(take.frames.map((f) => +f.timeMs.toFixed(1))).toEqual([0, 33.3, 66.6]);
    expect(take.durationMs).toBeCloseTo(66.6, 6);
    expect(recorder.durationMs).toBe(take.durationMs);
    expect(Array.from(take.identity)).toEqual(Array.from(syntheticFrame(2, 3, 2).identity));
    expect(take.model).toMatchObject({ name: 'm', units: 'cm', expressionNames: ['a', 'b', 'c'] });
  });
});

describe('Take.toJSON', () => {
  it('writes the documented, versioned schema and reads it back', () => {
    const { take, frames } = recordTake(['a', 'b'], 3, 4);
    const json = take.toJSON();
    expect(json).toMatchObject({ format: TAKE_FORMAT, version: TAKE_VERSION, arkitNames: [...ARKIT_BLENDSHAPES] });
    expect(Object.keys(json)).toEqual(['format', 'version', 'startedAt', 'model', 'camera', 'identity', 'arkitNames', 'gaps', 'frames']);
    expect(Object.keys(json.frames[0]!)).toEqual(['timeMs', 'videoTime', 'pose', 'expression', 'arkit', 'eyes']);
    expect(json.frames[2]!.pose.rotation[1]).toBeCloseTo(frames[2]!.pose.rotation[1], 6);
    const back = Take.fromJSON(JSON.stringify(take));
    expect(back.frames).toHaveLength(4);
    expect(back.frames[3]!.expression[1]).toBeCloseTo(frames[3]!.expression[1]!, 6);
    expect(Math.abs(back.frames[3]!.arkit![51]! - frames[3]!.arkit![51]!)).toBeLessThanOrEqual(ARKIT_ERROR);
    expect(back.startedAt.getTime()).toBe(take.startedAt.getTime());
    expect(() => Take.fromJSON({ ...json, version: TAKE_VERSION + 1 })).toThrow(/up to version/);
    expect(() => Take.fromJSON('{"format":"other"}')).toThrow(/Not a take/);
  });
});

describe('Take.toCSV (Live Link Face layout)', () => {
  it('writes Live Link Face\'s columns, 61 values per row and an HH:MM:SS:FF.fff timecode', () => {
    const { take, frames } = recordTake(ict.expressionNames, ict.identityCount, 5);
    const lines = take.toCSV().trimEnd().split('\n');
    expect(lines[0]).toBe(LIVE_LINK_FACE_HEADER);
    expect(LIVE_LINK_CSV_HEADER).toHaveLength(63);
    expect(lines).toHaveLength(6);
    const row = lines[3]!.split(',');
    expect(row).toHaveLength(63);
    expect(row[0]).toMatch(/^\d\d:\d\d:\d\d:\d\d\.\d\d\d$/);
    expect(row[1]).toBe('61');
    const f = frames[2]!;
    ARKIT_BLENDSHAPES.forEach((_, i) => expect(Math.abs(+row[2 + i]! - f.arkit![i]!)).toBeLessThanOrEqual(ARKIT_ERROR + 5e-7));
    expect(+row[54]!).toBeCloseTo(f.pose.yaw, 6); // HeadYaw, radians
    expect(+row[55]!).toBeCloseTo(f.pose.pitch, 6);
    expect(+row[56]!).toBeCloseTo(f.pose.roll, 6);
    // Eye angles from MediaPipe's (iris-based) eyeLook scores.
    const w = (n: string) => f.mediapipeBlendshapes[MEDIAPIPE_BLENDSHAPES.indexOf(n as (typeof MEDIAPIPE_BLENDSHAPES)[number])]!;
    expect(+row[57]!).toBeCloseTo((w('eyeLookOutLeft') - w('eyeLookInLeft')) * EYE_YAW_MAX_RAD, 5); // LeftEyeYaw
    expect(+row[61]!).toBeCloseTo((w('eyeLookDownRight') - w('eyeLookUpRight')) * EYE_PITCH_MAX_RAD, 5); // RightEyePitch
    expect(Math.abs(+row[57]!) + Math.abs(+row[61]!)).toBeGreaterThan(0);
    expect(+row[59]!).toBe(0); // LeftEyeRoll
  });

  it('counts timecode frames at the given rate', () => {
    expect(timecode(13 * 3600 + 5 * 60 + 7.5, 60)).toBe('13:05:07:30.000');
    expect(timecode(59.99, 30)).toBe('00:00:59:29.700');
    expect(timecode(86400 + 1, 60)).toBe('00:00:01:00.000');
  });

  it('refuses takes without ARKit weights', () => {
    const { take } = recordTake(['a'], 1, 2);
    const noArkit = new Take({ ...take, frames: take.frames.map(({ arkit: _, ...f }) => f) });
    expect(() => noArkit.toCSV()).toThrow(/no ARKit weights/);
  });
});

/** Parses a .glb with three.js as an app would. */
async function loadGlb(bytes: Uint8Array) {
  const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
  return loader.parseAsync(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, '');
}

describe('Take.toGLB read back by three.js GLTFLoader', () => {
  it('animates the default model: the shape baked in, expression weights, head rotation and translation at the recorded values', async () => {
    const { take, frames } = recordTake(ict.expressionNames, ict.identityCount, 12);
    const glb = await take.toGLB(defaultModel);
    const gltf = await loadGlb(glb);
    // Plain float32 data, no extension a DCC tool might lack.
    const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + new DataView(glb.buffer, glb.byteOffset + 12, 4).getUint32(0, true)))) as { extensionsUsed?: string[] };
    expect(json.extensionsUsed ?? []).toEqual([]);
    expect(glb.byteLength).toBeLessThan(25e6);

    const clip = gltf.animations.find((a) => a.name === 'take')!;
    expect(clip.duration).toBeCloseTo(take.durationMs / 1000, 5);
    const mesh = gltf.scene.getObjectByProperty('isMesh', true) as Mesh;
    const head = gltf.scene.getObjectByName('head')!;
    const names = clip.tracks.map((t) => t.name).sort();
    expect(names).toEqual([`${head.name}.position`, `${head.name}.quaternion`, `${mesh.name}.morphTargetInfluences`].sort());
    // The morph targets are the model's 53 ARKit-named expressions; the identity is in the mesh itself.
    expect(Object.keys(mesh.morphTargetDictionary!)).toEqual(ict.expressionNames);
    const model = await readFaceModel(defaultModel);
    const shaped = new FaceModelEvaluator(model).evaluateMesh({ identity: take.identity });
    gltf.scene.updateMatrixWorld(true);
    const toModel = mesh.matrixWorld.clone().premultiply(head.matrixWorld.clone().invert());
    for (const v of [0, 4000, 12000, 25000]) {
      const p = new Vector3().fromBufferAttribute(mesh.geometry.attributes.position!, v).applyMatrix4(toModel);
      p.toArray().forEach((x, c) => expect(x).toBeCloseTo(shaped[3 * v + c]!, 1));
    }

    // The raw keyframes are the recorded values.
    const weights = clip.tracks.find((t) => t.name.endsWith('morphTargetInfluences'))!;
    const targetCount = mesh.morphTargetInfluences!.length;
    expect(weights.times.length).toBe(12);
    frames.forEach((f, i) => {
      expect(weights.times[i]).toBeCloseTo(take.frames[i]!.timeMs / 1000, 5);
      f.expression.forEach((e, k) => expect(weights.values[i * targetCount + k]).toBeCloseTo(e, 6));
    });

    // Played by an AnimationMixer, the scene takes each frame's pose.
    const mixer = new AnimationMixer(gltf.scene);
    const action = mixer.clipAction(clip).setLoop(LoopOnce, 1);
    action.clampWhenFinished = true; // else the last frame's time wraps to the first
    action.play();
    for (const i of [0, 5, 11]) {
      mixer.setTime(take.frames[i]!.timeMs / 1000);
      const f = frames[i]!;
      expect(mesh.morphTargetInfluences![17], `frame ${i}`).toBeCloseTo(f.expression[17]!, 5);
      const [x, y, z] = f.pose.rotation;
      const expected = new Quaternion().setFromAxisAngle(new Vector3(x, y, z).normalize(), Math.hypot(x, y, z));
      expect(head.quaternion.angleTo(expected)).toBeLessThan(1e-5);
      head.position.toArray().forEach((v, c) => expect(v).toBeCloseTo(f.pose.translation[c]!, 4));
    }

    // Meters for glTF viewers, and the tracking camera at the origin.
    const root = gltf.scene.getObjectByName('take')!;
    expect(root.scale.x).toBeCloseTo(0.01, 8);
    const camera = gltf.cameras[0] as PerspectiveCamera;
    expect(camera.fov).toBeCloseTo((2 * Math.atan(take.camera.height / (2 * take.camera.focalPx)) * 180) / Math.PI, 3);
    // Still a face model: the pixel3dmm extras come along, renumbered.
    const extras = mesh.userData.pixel3dmm as { name: string; groups: { identity: { count: number }; expression: { start: number; count: number } } };
    expect(extras.name).toBe('ict-facekit');
    expect(extras.groups.identity.count).toBe(0);
    expect(extras.groups.expression).toMatchObject({ start: 0, count: 53 });
  });

  it('compresses on request (meshopt, for web loaders), with the same animation', async () => {
    const { take, frames } = recordTake(ict.expressionNames, ict.identityCount, 4);
    const glb = await take.toGLB(defaultModel, { compress: true });
    expect(glb.byteLength).toBeLessThan(defaultModel.byteLength);
    const gltf = await loadGlb(glb);
    const weights = gltf.animations[0]!.tracks.find((t) => t.name.endsWith('morphTargetInfluences'))!;
    expect(weights.values[53 * 3 + 7]).toBeCloseTo(frames[3]!.expression[7]!, 6);
  });

  it('animates a skinned model\'s joints', async () => {
    const { glb: modelGlb, model } = await tinySkinnedModelGlb();
    const { take, frames } = recordTake([...model.expression.names], 2, 6, [...model.skeleton!.jointNames]);
    const gltf = await loadGlb(await take.toGLB(modelGlb));
    const clip = gltf.animations[0]!;
    const jaw = clip.tracks.find((t) => t.name === 'jaw.quaternion')!;
    expect(jaw).toBeDefined();
    const [x, y, z] = Array.from(frames[4]!.jointRotations!.subarray(6, 9));
    const expected = new Quaternion().setFromAxisAngle(new Vector3(x, y, z).normalize(), Math.hypot(x!, y!, z!));
    const got = new Quaternion().fromArray(jaw.values, 4 * 4);
    expect(got.angleTo(expected)).toBeLessThan(1e-5);
    // Pose-corrective weights follow the joints.
    const weights = clip.tracks.find((t) => t.name.endsWith('morphTargetInfluences'))!;
    expect(weights.values.length).toBe(6 * (2 + 18)); // expressions and pose correctives; the identity is baked
    expect(Array.from(weights.values.slice(4 * 20 + 2, 4 * 20 + 20)).some((v) => Math.abs(v) > 1e-4)).toBe(true);
  });

  it('refuses a model the take was not tracked with', async () => {
    const { take } = recordTake(['a', 'b'], 3, 2);
    await expect(take.toGLB(defaultModel)).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
