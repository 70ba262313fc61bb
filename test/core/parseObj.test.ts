import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseObj, splitAtUvSeams } from '../../src/authoring/geometry/parseObj.js';

describe('OBJ parsing', () => {
  it('reads the MediaPipe canonical face with iris (478 points)', () => {
    const obj = parseObj(readFileSync(new URL('../../models/mediapipe/face_model_with_iris.obj', import.meta.url), 'utf8'));
    expect(obj.positions.length / 3).toBe(478);
    expect(obj.faceSizes.length).toBeGreaterThan(800);
  });

  it('splits a quad whose two triangles use different UVs for a shared vertex', () => {
    const obj = parseObj('v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nvt 0.5 0.5\nf 1/1 2/2 3/3\nf 1/5 3/3 4/4\n');
    const split = splitAtUvSeams(obj);
    expect(Array.from(split.sourceVertex)).toEqual([0, 1, 2, 0, 3]);
    expect(Array.from(split.triangles)).toEqual([0, 1, 2, 3, 2, 4]);
    expect(Array.from(split.uvs.subarray(6, 8))).toEqual([0.5, 0.5]);
  });
});
