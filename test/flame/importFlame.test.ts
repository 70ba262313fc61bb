import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importFlameCommand } from '../../scripts/cli/importFlame.js';
import { parseObj } from '../../src/authoring/geometry/parseObj.js';
import type { FaceModel, SurfaceEmbedding } from '../../src/core/model/FaceModel.js';
import type { FlameModel } from '../../src/authoring/flame/FlameModel.js';
import { placeOnModel, readFlameLandmarkFile, replacePoints } from '../../src/authoring/flame/flameLandmarkFiles.js';
import { readFlameModel } from '../../src/authoring/flame/readFlameModel.js';
import { FaceModelEvaluator, type FaceCoefficients } from '../../src/core/model/FaceModelEvaluator.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { NdArray } from '../../src/authoring/pickle/NdArray.js';
import { readPickle } from '../../src/authoring/pickle/readPickle.js';
import { multipie68FromMediapipe } from '../../src/authoring/registration/multipie68.js';
import { runPython, tempDir } from './pythonFixtures.js';

const FLAME_VERTICES = 5023;

let fixtures: { dir: string; remove: () => void };
const path = (name: string) => join(fixtures.dir, name);

beforeAll(() => {
  fixtures = tempDir('flame-fixtures-');
  runPython('make_flame_fixtures.py', [fixtures.dir]);
});
afterAll(() => fixtures.remove());

/** Runs the CLI command and returns the line it printed. */
async function runImport(args: string[]): Promise<string> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await importFlameCommand(args);
    return log.mock.calls.map((c) => c.join(' ')).join('\n');
  } finally {
    log.mockRestore();
  }
}

/** Deterministic standard normals (mulberry32 + Box–Muller). */
function normals(seed: number): (count: number, scale?: number) => number[] {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return (count, scale = 1) =>
    Array.from({ length: count }, () => scale * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
}

/** FLAME parameter sets: the rest pose, then random shapes, expressions and rotations of every joint. */
function parameterSets(): { shape: number[]; expression: number[]; pose: number[] }[] {
  const random = normals(42);
  const sets = [{ shape: new Array(300).fill(0), expression: new Array(100).fill(0), pose: new Array(15).fill(0) }];
  for (let i = 0; i < 4; i++) {
    // root, neck, jaw (mostly opening about x), eye_L, eye_R: all nonzero.
    const pose = [...random(3, 0.4), ...random(3, 0.25), Math.abs(random(1, 0.3)[0]!), ...random(2, 0.05), ...random(3, 0.2), ...random(3, 0.2)];
    sets.push({ shape: random(300, 1), expression: random(100, 1), pose });
  }
  return sets;
}

/** FLAME's posed vertices from the numpy reference: [set][5023 * 3]. */
function referenceVertices(modelFile: string, sets: ReturnType<typeof parameterSets>): Float64Array[] {
  const params = path(`${modelFile}.params.json`);
  const out = path(`${modelFile}.posed.f64`);
  writeFileSync(params, JSON.stringify(sets));
  runPython('flame_forward.py', [path(modelFile), params, out]);
  const all = new Float64Array(new Uint8Array(readFileSync(out)).buffer);
  return sets.map((_, k) => all.subarray(k * FLAME_VERTICES * 3, (k + 1) * FLAME_VERTICES * 3));
}

function boundingBoxDiagonal(points: Float32Array): number {
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < points.length; i++) {
    min[i % 3] = Math.min(min[i % 3]!, points[i]!);
    max[i % 3] = Math.max(max[i % 3]!, points[i]!);
  }
  return Math.hypot(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!);
}

describe.each([
  { layout: 'FLAME 2020 (protocol 2, chumpy, sparse J_regressor)', file: 'generic_model.pkl', masks: true },
  { layout: 'FLAME 2023 (protocol 5, numpy, dense J_regressor)', file: 'flame2023.pkl', masks: false },
])('import-flame: $layout', ({ file, masks }) => {
  let model: FaceModel;
  let summary: string;

  beforeAll(async () => {
    const out = path(`${file}.glb`);
    summary = await runImport([path(file), '--uv', path('head_template.obj'), '-o', out, ...(masks ? ['--masks', path('FLAME_masks.pkl')] : [])]);
    model = await readFaceModel(new Uint8Array(readFileSync(out)));
  });

  it('prints a one-line summary', () => {
    expect(summary.split('\n')).toHaveLength(1);
    expect(summary).toMatch(/^Wrote .*\.glb .*300 shape \+ 100 expression \+ 36 pose-corrective targets, 5 joints.*MediaPipe's 478 landmarks embedded/);
  });

  it('writes FLAME as a face model: metadata, groups, skeleton', () => {
    expect(model).toMatchObject({ units: 'm', metersPerUnit: 1, uvLayout: 'flame', source: file, licence: expect.stringMatching(/FLAME licence/) });
    expect(model.identity.names).toEqual(Array.from({ length: 300 }, (_, k) => `shape${String(k).padStart(3, '0')}`));
    expect(model.expression.names[0]).toBe('exp000');
    expect(model.expression.names[99]).toBe('exp099');
    expect(model.expression.min).toBeUndefined();
    expect(model.poseCorrectives!.names).toHaveLength(36);
    for (const g of [model.identity, model.expression, model.poseCorrectives!]) expect(Array.from(new Set(g.std))).toEqual([1]);
    expect(model.skeleton!.jointNames).toEqual(['root', 'neck', 'jaw', 'eye_L', 'eye_R']);
    expect(Array.from(model.skeleton!.parents)).toEqual([-1, 0, 1, 1, 1]);
    expect(model.skeleton!.influences).toBe(5);
    // Registered from the default model (on this synthetic ellipsoid head, the points land on its front).
    expect(model.mediapipe478!.vertices).toHaveLength(478 * 3);
    expect(model.multipie68!.vertices).toHaveLength(68 * 3);
    // The 68 are MediaPipe's points at the iBUG 300-W correspondence, as in the default model.
    expect(model.multipie68).toEqual(multipie68FromMediapipe(model.mediapipe478!));
  });

  it('splits vertices at UV seams and maps every split vertex back to one of FLAME’s 5023', () => {
    const sourceVertex = model.sourceVertex!;
    expect(model.vertexCount).toBeGreaterThan(FLAME_VERTICES);
    expect(new Set(sourceVertex).size).toBe(FLAME_VERTICES);
    expect(Math.max(...sourceVertex)).toBe(FLAME_VERTICES - 1);
    // Each corner's UV is the OBJ's vt for that corner (v flipped for glTF).
    const obj = parseObj(readFileSync(path('head_template.obj'), 'utf8'));
    for (let corner = 0; corner < obj.positionIndex.length; corner += 97) {
      const v = model.triangles[corner]!;
      expect(sourceVertex[v]).toBe(obj.positionIndex[corner]);
      const t = obj.uvIndex[corner]!;
      expect([model.uvs[2 * v], model.uvs[2 * v + 1]]).toEqual([obj.uvs[2 * t], Math.fround(1 - obj.uvs[2 * t + 1]!)]);
    }
  });

  it('keeps all five skin weights per vertex and regresses joints from first copies', () => {
    const { skinWeights, skinJoints, regressor } = model.skeleton!;
    let allFive = 0;
    for (let v = 0; v < model.vertexCount; v++) {
      const w = skinWeights.subarray(5 * v, 5 * v + 5);
      expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
      expect(new Set(skinJoints.subarray(5 * v, 5 * v + 5)).size).toBe(5);
      if (w.every((x) => x > 0)) allFive++;
    }
    expect(allFive).toBeGreaterThan(0);
    for (const v of regressor.vertex) expect(model.sourceVertex!.indexOf(model.sourceVertex![v]!)).toBe(v);
  });

  it('poses like the numpy FLAME forward to within 1e-5 of the model size', () => {
    const sets = parameterSets();
    const reference = referenceVertices(file, sets);
    const evaluator = new FaceModelEvaluator(model);
    const tolerance = 1e-5 * boundingBoxDiagonal(model.template);
    const sourceVertex = model.sourceVertex!;
    sets.forEach((set, k) => {
      const coefficients: FaceCoefficients = { identity: set.shape, expression: set.expression, jointRotations: set.pose };
      const posed = evaluator.evaluateMesh(coefficients);
      let maxError = 0;
      for (let v = 0; v < model.vertexCount; v++) {
        for (let c = 0; c < 3; c++) maxError = Math.max(maxError, Math.abs(posed[3 * v + c]! - reference[k]![3 * sourceVertex[v]! + c]!));
      }
      expect(maxError).toBeLessThanOrEqual(tolerance);
    });
  });

  it(masks ? "fits the masks file's 'face' region, every copy of its vertices" : "fits the vertices under the default model's face without a masks file (the front of this synthetic head)", () => {
    if (!masks) {
      expect(model.fittingRegion.length).toBeGreaterThan(500);
      expect(model.fittingRegion.length).toBeLessThan(model.vertexCount / 2);
      // The synthetic head faces +Z: its face region is the front.
      const z = (v: number) => model.template[3 * v + 2]!;
      expect(Array.from(model.fittingRegion).every((v) => z(v) > 0)).toBe(true);
      return;
    }
    const face = new Set((readPickle(new Uint8Array(readFileSync(path('FLAME_masks.pkl')))) as Map<string, NdArray>).get('face')!.toNumbers());
    const expected = Array.from(model.sourceVertex!.keys()).filter((v) => face.has(model.sourceVertex![v]!));
    expect(Array.from(model.fittingRegion)).toEqual(expected);
    expect(new Set(Array.from(model.fittingRegion, (v) => model.sourceVertex![v]!))).toEqual(face);
  });
});

describe('import-flame: files that are not what they should be', () => {
  const importing = (model: string, uv = path('head_template.obj'), extra: string[] = []) =>
    runImport([model, '--uv', uv, '-o', path('rejected.glb'), ...extra]);
  const write = (name: string, data: Uint8Array | string) => {
    writeFileSync(path(name), data);
    return path(name);
  };
  const objText = () => readFileSync(path('head_template.obj'), 'utf8');

  it.each([
    ['a truncated model', () => write('truncated.pkl', readFileSync(path('generic_model.pkl')).subarray(0, 1 << 20)), /truncated/],
    ['random bytes', () => write('random.pkl', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)), /Not a Python pickle/],
    ['a pickle that is not FLAME', () => path('FLAME_masks.pkl'), /Not a FLAME model: the pickle has no 'v_template'.*keys: face, left_eyeball/],
    ['arrays of inconsistent shapes', () => path('bad_shapes.pkl'), /'weights' has shape \[12, 5\], expected \[10, 5\]/],
    ['too few shape components', () => path('few_components.pkl'), /'shapedirs' has 200 components.*300 shape \+ 100 expression/],
  ])('rejects %s with a model-format error', async (_, file, message) => {
    const error = await importing(file()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model-format', message: expect.stringMatching(message) });
    expect((error as Error).message).toMatch(/Pass|Download/);
  });

  it.each([
    ['has the wrong vertex count', () => 'v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nvt 0 0\nf 1/1 2/1 3/1\n', /UV template has 4 vertices but the FLAME model has 5023/],
    ['lacks texture coordinates', () => objText().replace(/^f (\d+)\/\d+ /m, 'f $1 '), /without texture coordinates/],
    ['has other triangles', () => objText().replace(/\nf [^\n]*\n$/, '\n'), /9975 triangles do not match the FLAME model's 9976/],
  ])('rejects a UV template that %s', async (_, text, message) => {
    const error = await importing(path('flame2023.pkl'), write('bad.obj', text())).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model-format', message: expect.stringMatching(message) });
  });

  it('rejects a masks file without a face region', async () => {
    const error = await importing(path('flame2023.pkl'), undefined, ['--masks', path('bad_shapes.pkl')]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model-format', message: expect.stringMatching(/masks file.*No 'face' region/) });
  });

  it('explains its usage when arguments are missing', async () => {
    await expect(importFlameCommand([path('flame2023.pkl')])).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/--uv/) });
    await expect(importFlameCommand([path('missing.pkl'), '--uv', path('head_template.obj')])).rejects.toMatchObject({ code: 'invalid-input' });
  });
});

describe("import-flame --landmarks: FLAME's own landmark embeddings", () => {
  interface Given { faces: number[]; barycentrics: number[]; indices?: number[] }
  let given: { multipie: Given; mediapipe: Given };
  let flameFaces: Uint32Array;
  let baseline: FaceModel; // the registration's landmarks only
  let model: FaceModel; // with DECA's landmark_embedding.npy and FLAME's mediapipe_landmark_embedding.npz
  let summary: string;
  const flame2023 = () => path('flame2023.pkl');
  const importing = (landmarks: string[], out = 'landmarks.glb') =>
    runImport([flame2023(), '--uv', path('head_template.obj'), '-o', path(out), ...landmarks.flatMap((file) => ['--landmarks', path(file)])]);

  beforeAll(async () => {
    runPython('make_flame_landmark_files.py', [flame2023(), fixtures.dir]);
    given = JSON.parse(readFileSync(path('landmarks.json'), 'utf8'));
    flameFaces = readFlameModel(readPickle(new Uint8Array(readFileSync(flame2023())))).faces;
    // The plain import of the same file above (run it here when that block was filtered out).
    if (!existsSync(path('flame2023.pkl.glb'))) await importing([], 'flame2023.pkl.glb');
    baseline = await readFaceModel(new Uint8Array(readFileSync(path('flame2023.pkl.glb'))));
    summary = await importing(['landmark_embedding.npy', 'mediapipe_landmark_embedding.npz']);
    model = await readFaceModel(new Uint8Array(readFileSync(path('landmarks.glb'))));
  }, 180_000);

  /** Point `point` of `embedding` holds FLAME triangle `face` with `weights`: its corners' copies in FLAME's order, on one of the model's triangles. */
  function expectFlamePoint(on: FaceModel, embedding: SurfaceEmbedding, point: number, face: number, weights: number[]): void {
    const vertices = Array.from(embedding.vertices.subarray(3 * point, 3 * point + 3));
    expect(vertices.map((v) => on.sourceVertex![v])).toEqual(Array.from(flameFaces.subarray(3 * face, 3 * face + 3)));
    Array.from(embedding.weights.subarray(3 * point, 3 * point + 3)).forEach((w, k) => expect(Math.abs(w - weights[k]!)).toBeLessThan(1e-6));
    const corners = new Set(vertices);
    let onTriangle = false;
    for (let t = 0; t < on.triangles.length && !onTriangle; t += 3) onTriangle = [0, 1, 2].every((k) => corners.has(on.triangles[t + k]!));
    expect(onTriangle).toBe(true);
  }

  it('says in the summary which points came from which file and how far they lie from the registration’s', () => {
    expect(summary.split('\n')).toHaveLength(1);
    // The fixture's points are random triangles of the face, far from the registration's: the summary says so.
    expect(summary).toMatch(/Multi-PIE 68: landmark_embedding\.npy \(68 points\), \d+\.\d\d mm from the registration's \(median; max \d+\.\d mm\): far apart, is the file for this FLAME model\?/);
    expect(summary).toMatch(/MediaPipe 478: mediapipe_landmark_embedding\.npz \(105 points; the other 373 from the registration\), \d+\.\d\d mm/);
  });

  it("puts DECA's 68 points exactly where the file says: FLAME's triangle, corner order and barycentrics", () => {
    given.multipie.faces.forEach((face, i) => expectFlamePoint(model, model.multipie68!, i, face, given.multipie.barycentrics.slice(3 * i, 3 * i + 3)));
  });

  it("replaces MediaPipe's 105 points the file names and keeps the registration's other 373", () => {
    const indices = given.mediapipe.indices!;
    indices.forEach((point, i) => expectFlamePoint(model, model.mediapipe478!, point, given.mediapipe.faces[i]!, given.mediapipe.barycentrics.slice(3 * i, 3 * i + 3)));
    const named = new Set(indices);
    const others = Array.from({ length: 478 }, (_, p) => p).filter((p) => !named.has(p));
    expect(others).toHaveLength(373);
    const row = (e: SurfaceEmbedding, p: number) => [...e.vertices.subarray(3 * p, 3 * p + 3), ...e.weights.subarray(3 * p, 3 * p + 3)];
    for (const p of others) expect(row(model.mediapipe478!, p)).toEqual(row(baseline.mediapipe478!, p));
    expect(Array.from(model.fittingRegion)).toEqual(Array.from(baseline.fittingRegion));
  });

  it("reads FLAME's static embedding (Python 2 text pickle) as points 17–67, the jaw line's 17 left to the registration", () => {
    const file = readFlameLandmarkFile(new Uint8Array(readFileSync(path('flame_static_embedding.pkl'))));
    expect(file).toMatchObject({ scheme: 'multipie68', keys: 'lmk_face_idx, lmk_b_coords' });
    expect(Array.from(file.points)).toEqual(Array.from({ length: 51 }, (_, i) => 17 + i));
    const flame = { faces: flameFaces, vertexCount: FLAME_VERTICES } as FlameModel;
    const { embedding, use } = replacePoints(baseline.multipie68!, file, placeOnModel(file, flame, baseline), baseline);
    expect(use).toMatchObject({ scheme: 'multipie68', points: 51 });
    for (let i = 17; i < 68; i++) expectFlamePoint(baseline, embedding, i, given.multipie.faces[i]!, given.multipie.barycentrics.slice(3 * i, 3 * i + 3));
    expect(embedding.vertices.subarray(0, 51)).toEqual(baseline.multipie68!.vertices.subarray(0, 51));
    expect(embedding.weights.subarray(0, 51)).toEqual(baseline.multipie68!.weights.subarray(0, 51));
  });

  it.each([
    ['a FLAME model', 'generic_model.pkl', /landmarks file \(--landmarks\) generic_model\.pkl: This is a FLAME model, not a landmark embedding/],
    ['the masks file', 'FLAME_masks.pkl', /No landmark embedding in it \(its keys: face, left_eyeball.*expected lmk_face_idx and lmk_b_coords/],
    ['a plain array', 'bad_plain_array.npy', /It holds a float32 array of shape \[68, 3\], not a landmark embedding/],
    ['a triangle index out of range', 'bad_face_index.pkl', /refers to FLAME triangle 9976, but the FLAME model has 9976 \(0…9975\)/],
    ['barycentrics of the wrong shape', 'bad_shape.npz', /'lmk_b_coords' has shape \[105, 2\], expected \[105\]\[3\]/],
    ['a MediaPipe index out of range', 'bad_mediapipe_index.npz', /'landmark_indices' names MediaPipe point 478; MediaPipe has 478/],
    ['50 Multi-PIE points', 'bad_count.pkl', /'lmk_face_idx' holds 50 landmarks; a Multi-PIE embedding on FLAME has 51 or 68/],
    ['an OBJ', 'head_template.obj', /Neither a Python pickle nor a numpy \.npy or \.npz file/],
  ])('rejects %s with a model-format error naming the file, before registering', async (_, file, message) => {
    const started = performance.now();
    const error = await importing([file], 'rejected.glb').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model-format', message: expect.stringMatching(message), details: { file: expect.stringContaining(file) } });
    expect((error as Error).message).toMatch(/Pass|corrupt/);
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it('refuses two files for the same landmarks', async () => {
    const error = await importing(['flame_static_embedding.pkl', 'landmark_embedding.npy'], 'rejected.glb').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/flame_static_embedding\.pkl and landmark_embedding\.npy both define the Multi-PIE 68 landmarks/) });
  });
});
