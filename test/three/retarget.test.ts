/** ARKit name matching and retargeting onto an avatar that is not our fitting mesh (three.js in Node). */
import { type Mesh, Object3D, Quaternion, Vector3 } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPES, type ArkitBlendshape } from '../../src/core/arkit.js';
import { ArkitNameMatcher, canonicalName } from '../../src/sdk/three/arkitAliases.js';
import { ArkitRetarget, retarget } from '../../src/sdk/three/retarget.js';
import { mixedConventionAvatarGlb, syntheticFrame } from '../fixtures/synthetic.js';

const arkit = (name: ArkitBlendshape) => ARKIT_BLENDSHAPES.indexOf(name);

describe('ARKit name matching', () => {
  const matcher = new ArkitNameMatcher();
  const names = (target: string) => matcher.match(target)?.map((i) => ARKIT_BLENDSHAPES[i]);

  it('matches every ARKit name in the common spellings', () => {
    for (const name of ARKIT_BLENDSHAPES) {
      const pascal = name[0]!.toUpperCase() + name.slice(1);
      const apple = name.replace(/Left$/, '_L').replace(/Right$/, '_R');
      for (const variant of [name, pascal, apple, `blendShape1.${apple}`, `ARKit_${name}`, `Head_Mesh:${pascal}`, name.toLowerCase()]) {
        expect(names(variant), variant).toEqual([name]);
      }
    }
  });

  it('maps split shapes, Blender sides and rig-specific aliases', () => {
    expect(names('browInnerUp_L')).toEqual(['browInnerUp']);
    expect(names('cheekPuffRight')).toEqual(['cheekPuff']);
    expect(names('Cheek_Puff_R')).toEqual(['cheekPuff']);
    expect(names('eyeBlink.L')).toEqual(['eyeBlinkLeft']);
    expect(names('Eye_Blink_L')).toEqual(['eyeBlinkLeft']);
    expect(names('Mouth_Smile_R')).toEqual(['mouthSmileRight']);
    expect(names('jaw_L')).toEqual(['jawLeft']);
    expect(names('Brow_Raise_Inner_L')).toEqual(['browInnerUp']);
    expect(names('Eye_R_Look_L')).toEqual(['eyeLookInRight']);
    expect(names('Fcl_EYE_Close_R')).toEqual(['eyeBlinkRight']);
    expect(names('Fcl_EYE_Close')).toEqual(['eyeBlinkLeft', 'eyeBlinkRight']);
    expect(names('blinkLeft')).toEqual(['eyeBlinkLeft']);
  });

  it('leaves names that mean no ARKit shape unmatched', () => {
    for (const name of ['viseme_aa', 'Fcl_MTH_I', 'mouthRoll', 'eyeBlink', 'EyeBlinkL', 'leftEyeBlink', 'Key 1']) expect(names(name), name).toBeUndefined();
  });

  it('takes extra aliases', () => {
    expect(new ArkitNameMatcher({ Smile: ['mouthSmileLeft', 'mouthSmileRight'] }).match('smile')).toEqual([arkit('mouthSmileLeft'), arkit('mouthSmileRight')]);
  });

  it('reduces names to a canonical form', () => {
    expect(canonicalName('blendShape1.eyeBlink_L')).toBe('eyeblinkleft');
    expect(canonicalName('BS_Mouth-Smile.R')).toBe('mouthsmileright');
    expect(canonicalName('mouthLeft')).toBe('mouthleft');
  });
});

describe('retarget onto another avatar', () => {
  let avatar: Object3D;
  beforeAll(async () => {
    const glb = await mixedConventionAvatarGlb();
    avatar = (await new GLTFLoader().parseAsync(glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer, '')).scene;
  });
  const meshNamed = (name: string) => avatar.getObjectByName(name) as Mesh;
  const influence = (mesh: string, target: string) => {
    const m = meshNamed(mesh);
    return m.morphTargetInfluences![m.morphTargetDictionary![target]!]!;
  };

  it('drives every matched morph target on every mesh, and reports the unmatched shapes', () => {
    const frame = syntheticFrame(0, 0);
    const report = retarget(frame, avatar);
    const w = frame.arkit!;
    expect(influence('Wolf3D_Head', 'blendShape1.eyeBlink_L')).toBeCloseTo(w[arkit('eyeBlinkLeft')]!, 6);
    expect(influence('Wolf3D_Head', 'EyeBlinkRight')).toBeCloseTo(w[arkit('eyeBlinkRight')]!, 6);
    expect(influence('Wolf3D_Head', 'Mouth_Smile_L')).toBeCloseTo(w[arkit('mouthSmileLeft')]!, 6);
    expect(influence('Wolf3D_Head', 'browInnerUp_R')).toBeCloseTo(w[arkit('browInnerUp')]!, 6);
    expect(influence('Wolf3D_Head', 'Fcl_EYE_Surprised')).toBeCloseTo((w[arkit('eyeWideLeft')]! + w[arkit('eyeWideRight')]!) / 2, 6);
    expect(influence('Wolf3D_Teeth', 'jawOpen')).toBeCloseTo(w[arkit('jawOpen')]!, 6);
    expect(influence('Wolf3D_Head', 'viseme_aa')).toBe(0);
    expect(report.ignored).toEqual(['Wolf3D_Head/viseme_aa']);
    expect(report.matched).toEqual(expect.arrayContaining(['eyeBlinkLeft', 'jawOpen', 'browInnerUp', 'cheekPuff', 'eyeLookOutLeft', 'browDownLeft']));
    expect(report.matched.length + report.unmatched.length).toBe(52);
    expect(report.unmatched).toContain('tongueOut');
    expect(report.unmatched).not.toContain('jawOpen');
  });

  it('mirrors left and right on request', () => {
    const frame = syntheticFrame(0, 0);
    retarget(frame, avatar, { mirror: true });
    expect(influence('Wolf3D_Head', 'blendShape1.eyeBlink_L')).toBeCloseTo(frame.arkit![arkit('eyeBlinkRight')]!, 6);
  });

  it('turns the head node in the avatar frame, whatever the bone\'s own rest rotation', () => {
    const frame = syntheticFrame(0, 0);
    const binding = new ArkitRetarget(avatar, { head: 'Head' });
    const head = avatar.getObjectByName('Head')!;
    const restInRoot = new Quaternion().copy(head.quaternion); // parents are unrotated here
    binding.apply(frame);
    expect(binding.report.head).toBe('Head');
    // The head's orientation in the avatar frame is the tracked rotation applied on top of its rest.
    const [x, y, z] = frame.pose.rotation;
    const angle = Math.hypot(x, y, z);
    const tracked = new Quaternion().setFromAxisAngle(new Vector3(x, y, z).normalize(), angle);
    const expected = tracked.multiply(restInRoot);
    expect(head.quaternion.angleTo(expected)).toBeLessThan(1e-6);
    expect(() => new ArkitRetarget(avatar, { head: 'NoSuchBone' })).toThrow(/no node named/);
  });

  it('refuses frames without ARKit weights with a clear error', () => {
    const frame = { ...syntheticFrame(0, 0), arkit: undefined };
    expect(() => retarget(frame, new Object3D())).toThrow(/no ARKit weights/);
  });
});
