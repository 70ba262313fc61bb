/**
 * Where `import-flame` puts MediaPipe's irises on the FLAME fixture's eyeballs (FLAME's real
 * template, test/flame/flameFixtureModel.ts): level with the eye joints, where the unturned eyes
 * have their pupils (`levelIrises`), so that a tracked eye rests unturned when the subject's iris
 * sits where MediaPipe's canonical face has it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restJointPositions } from '../../src/core/model/skinning.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { flameFixtureModel } from './flameFixtureModel.js';

const model = await readFaceModel(new Uint8Array(readFileSync(await flameFixtureModel())));
const joints = restJointPositions(model, model.template);
const embedding = model.mediapipe478!;
const point = (p: number) => [0, 1, 2].map((c) => [0, 1, 2].reduce((s, k) => s + embedding.weights[3 * p + k]! * model.template[3 * embedding.vertices[3 * p + k]! + c]!, 0));
const DEG = 180 / Math.PI;

for (const { eye, joint, centre } of [
  { eye: 'right', joint: 'eye_R', centre: 468 },
  { eye: 'left', joint: 'eye_L', centre: 473 },
]) describe(`MediaPipe's iris on the subject's ${eye} eyeball`, () => {
  const j = model.skeleton!.jointNames.indexOf(joint);
  const fromJoint = (p: number) => point(p).map((x, c) => x - joints[3 * j + c]!);

  it("has its centre level with the eye joint (the model looks down +Z), turned towards the nose as the canonical face's converging eyes", () => {
    const [x, y, z] = fromJoint(centre) as [number, number, number];
    const pitchDeg = Math.atan2(y, z) * DEG, nasalDeg = Math.atan2(joint === 'eye_R' ? x : -x, z) * DEG;
    console.log(`${joint}: iris centre ${pitchDeg.toFixed(2)}° up, ${nasalDeg.toFixed(2)}° towards the nose of the joint's forward axis`);
    // Before: 2.2° down, where MediaPipe's canonical eyeball put it (a tracked eye rested looking up).
    expect(Math.abs(pitchDeg)).toBeLessThan(0.5);
    expect(nasalDeg).toBeGreaterThan(1);
    expect(nasalDeg).toBeLessThan(5);
  });

  it('has its four ring points around the centre on the eyeball, one on each side', () => {
    const c = fromJoint(centre);
    const ring = [1, 2, 3, 4].map((k) => fromJoint(centre + k).map((x, i) => x - c[i]!));
    // MediaPipe's ring order: +X-most and −X-most across, +Y-most and −Y-most up and down (either order per axis).
    const across = ring.map((r) => Math.abs(r[0]!) > Math.abs(r[1]!));
    expect(across.filter(Boolean)).toHaveLength(2);
    for (const r of ring) expect(Math.hypot(r[0]!, r[1]!) * model.metersPerUnit * 1000).toBeGreaterThan(3);
    // Each ring point is the centre's distance from the joint to within 1 mm: on the same eyeball.
    const radius = Math.hypot(...c);
    for (let k = 1; k <= 4; k++) expect(Math.abs(Math.hypot(...fromJoint(centre + k)) - radius) * model.metersPerUnit * 1000).toBeLessThan(1);
  });
});
