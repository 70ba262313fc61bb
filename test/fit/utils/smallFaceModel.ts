import type { FaceModel } from '../../../src/core/model/FaceModel.js';
import { ARKIT_BLENDSHAPES } from '../../../src/core/arkit.js';

/** A seeded uniform RNG in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal from a uniform RNG (Box-Muller). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const EXPRESSIONS = ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'mouthSmileLeft', 'mouthSmileRight', 'browInnerUp'] as const;

/**
 * A face-like height field in centimetres (about 14 x 18 cm, nose along +Z) with a smooth
 * identity basis, six local ARKit-named expressions in [0, 1], 478 embedded landmark points and
 * a fitting region; optionally skinned with FLAME's joints (root, neck, jaw, eye_L, eye_R) and
 * small pose correctives. Small enough for fast tests, shaped enough for real perspective.
 */
export function smallFaceModel(options: { skinned?: boolean; identityCount?: number; poseCorrectives?: boolean } = {}): FaceModel {
  const nx = 25, ny = 31;
  const random = rng(7);
  const vertexCount = nx * ny;
  const template = new Float32Array(vertexCount * 3);
  const uvs = new Float32Array(vertexCount * 2);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = j * nx + i;
      const x = -7 + (14 * i) / (nx - 1), y = -9 + (18 * j) / (ny - 1);
      const dome = 6 * Math.sqrt(Math.max(0, 1 - (x / 8.5) ** 2 - (y / 11) ** 2));
      const nose = 2.2 * Math.exp(-(x * x) / 1.5 - ((y + 0.5) ** 2) / 5);
      template.set([x, y, dome + nose], 3 * v);
      uvs.set([i / (nx - 1), 1 - j / (ny - 1)], 2 * v);
    }
  }
  const triangles: number[] = [];
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = j * nx + i, b = a + 1, c = a + nx, d = c + 1;
      // Counter-clockwise seen from +Z (the face looks down +Z).
      triangles.push(a, b, d, a, d, c);
    }
  }

  const K = options.identityCount ?? 8;
  const identity = new Float32Array(K * vertexCount * 3);
  for (let k = 0; k < K; k++) {
    const fx = 1 + (k % 3), fy = 1 + ((k >> 1) % 3), phase = random() * Math.PI * 2, axis = [random() - 0.5, random() - 0.5, random() - 0.5];
    for (let v = 0; v < vertexCount; v++) {
      const x = template[3 * v]! / 7, y = template[3 * v + 1]! / 9;
      const s = 0.35 * Math.cos(fx * x * 1.3 + phase) * Math.cos(fy * y * 1.1 - phase);
      for (let c = 0; c < 3; c++) identity[(k * vertexCount + v) * 3 + c] = s * axis[c]! * 2;
    }
  }

  const expression = new Float32Array(EXPRESSIONS.length * vertexCount * 3);
  const bump = (e: number, cx: number, cy: number, sx: number, sy: number, d: [number, number, number]) => {
    for (let v = 0; v < vertexCount; v++) {
      const x = template[3 * v]!, y = template[3 * v + 1]!;
      const g = Math.exp(-((x - cx) ** 2) / (2 * sx * sx) - ((y - cy) ** 2) / (2 * sy * sy));
      for (let c = 0; c < 3; c++) expression[(e * vertexCount + v) * 3 + c] += g * d[c]!;
    }
  };
  bump(0, 0, -7, 4, 2.5, [0, -1.2, -0.3]);
  bump(1, 3, 2.5, 1, 0.6, [0, -0.4, 0.1]);
  bump(2, -3, 2.5, 1, 0.6, [0, -0.4, 0.1]);
  bump(3, 2.2, -4.2, 1, 0.8, [0.4, 0.4, -0.1]);
  bump(4, -2.2, -4.2, 1, 0.8, [-0.4, 0.4, -0.1]);
  bump(5, 0, 4.8, 2, 1, [0, 0.5, 0]);

  // Landmarks: random points on the inner face.
  const inner: number[] = [];
  for (let t = 0; t < triangles.length; t += 3) {
    const v = triangles[t]!;
    if (Math.abs(template[3 * v]!) < 6 && Math.abs(template[3 * v + 1]!) < 8) inner.push(t);
  }
  const lmVertices = new Uint32Array(478 * 3), lmWeights = new Float32Array(478 * 3);
  for (let p = 0; p < 478; p++) {
    const t = inner[Math.floor(random() * inner.length)]!;
    let a = random(), b = random();
    if (a + b > 1) { a = 1 - a; b = 1 - b; }
    lmVertices.set([triangles[t]!, triangles[t + 1]!, triangles[t + 2]!], 3 * p);
    lmWeights.set([1 - a - b, a, b], 3 * p);
  }
  const region: number[] = [];
  for (let v = 0; v < vertexCount; v++) if (Math.abs(template[3 * v]!) < 6 && Math.abs(template[3 * v + 1]!) < 8) region.push(v);

  const model: FaceModel = {
    name: 'small-face', units: 'cm', metersPerUnit: 0.01, uvLayout: 'small-face', licence: 'MIT', source: 'test',
    vertexCount, template, uvs, triangles: Uint32Array.from(triangles),
    identity: { names: Array.from({ length: K }, (_, k) => `id${k}`), deltas: identity, std: new Float32Array(K).fill(1) },
    expression: {
      names: [...EXPRESSIONS], deltas: expression, std: new Float32Array(EXPRESSIONS.length).fill(1),
      min: new Float32Array(EXPRESSIONS.length), max: new Float32Array(EXPRESSIONS.length).fill(1),
    },
    mediapipe478: { vertices: lmVertices, weights: lmWeights },
    fittingRegion: Uint32Array.from(region),
  };
  if (!options.skinned) return model;

  // FLAME's joints; the face hangs on the neck, the lower face on the jaw, the eye areas on the eyes.
  const nearest = (x: number, y: number) => {
    let best = 0, bestD = Infinity;
    for (let v = 0; v < vertexCount; v++) {
      const d = (template[3 * v]! - x) ** 2 + (template[3 * v + 1]! - y) ** 2;
      if (d < bestD) { bestD = d; best = v; }
    }
    return best;
  };
  // Each joint regresses to the mean of a few vertices (then sits on the surface; fine for tests).
  const anchors: [number, number][][] = [
    [[0, 0]], [[-6, -9], [6, -9], [0, -9]], [[-4, -3], [4, -3]], [[3, 2.5]], [[-3, 2.5]],
  ];
  const regJoint: number[] = [], regVertex: number[] = [], regWeight: number[] = [];
  anchors.forEach((points, j) => points.forEach(([x, y]) => {
    regJoint.push(j); regVertex.push(nearest(x, y)); regWeight.push(1 / points.length);
  }));
  const skinJoints = new Uint16Array(vertexCount * 2), skinWeights = new Float32Array(vertexCount * 2);
  for (let v = 0; v < vertexCount; v++) {
    const x = template[3 * v]!, y = template[3 * v + 1]!;
    const jaw = Math.min(1, Math.max(0, (-2 - y) / 3));
    const eyeL = Math.exp(-((x - 3) ** 2 + (y - 2.5) ** 2) / 0.8), eyeR = Math.exp(-((x + 3) ** 2 + (y - 2.5) ** 2) / 0.8);
    if (jaw > 0) { skinJoints.set([1, 2], 2 * v); skinWeights.set([1 - jaw, jaw], 2 * v); }
    else if (eyeL > 0.05) { skinJoints.set([1, 3], 2 * v); skinWeights.set([1 - eyeL, eyeL], 2 * v); }
    else if (eyeR > 0.05) { skinJoints.set([1, 4], 2 * v); skinWeights.set([1 - eyeR, eyeR], 2 * v); }
    else { skinJoints.set([1, 0], 2 * v); skinWeights.set([1, 0], 2 * v); }
  }
  const poseCount = 9 * 4;
  const pose = new Float32Array(poseCount * vertexCount * 3);
  if (options.poseCorrectives !== false) for (let i = 0; i < pose.length; i++) pose[i] = (random() - 0.5) * 0.05;
  return {
    ...model,
    poseCorrectives: { names: Array.from({ length: poseCount }, (_, i) => `pose${i}`), deltas: pose, std: new Float32Array(poseCount).fill(1) },
    skeleton: {
      jointNames: ['root', 'neck', 'jaw', 'eye_L', 'eye_R'],
      parents: Int32Array.from([-1, 0, 1, 1, 1]),
      regressor: { joint: Uint32Array.from(regJoint), vertex: Uint32Array.from(regVertex), weight: Float32Array.from(regWeight) },
      influences: 2, skinJoints, skinWeights,
    },
  };
}

/**
 * `model` as a model whose expressions are not ARKit shapes, as FLAME's are not: the expressions
 * renamed, and ARKit weights through an `ArkitProjection` whose shapes overlap (each ARKit shape is
 * its old expression plus 0.4 of the next, jawOpen also turns the jaw when skinned) under random
 * motion metrics (the root's rotation, the head pose, left out).
 */
export function projectedModel(model: FaceModel, seed = 3): FaceModel {
  const random = rng(seed);
  const names = model.expression.names, e = names.length;
  const inputs = e + 3 * (model.skeleton?.jointNames.length ?? 0);
  const jaw = model.skeleton ? e + 3 * model.skeleton.jointNames.indexOf('jaw') : -1;
  const C = names.map((name, a) => {
    const c = new Float64Array(inputs);
    c[a] = 1;
    c[(a + 1) % e] = 0.4;
    if (name === 'jawOpen' && jaw >= 0) c[jaw] = 0.2;
    return c;
  });
  const metric = () => {
    // RᵀR over the inputs but the root's three.
    const R = Array.from({ length: inputs }, () => Float64Array.from({ length: inputs }, (_, k) => (k >= e && k < e + 3 ? 0 : gaussian(random))));
    return Float64Array.from({ length: inputs * inputs }, (_, i) => R.reduce((s, r) => s + r[Math.floor(i / inputs)]! * r[i % inputs]!, 0) / inputs);
  };
  const eyes = metric(), other = metric();
  const G = eyes.map((v, i) => v + other[i]!);
  const Gc = C.map((c) => Float64Array.from({ length: inputs }, (_, k) => c.reduce((s, x, l) => s + G[k * inputs + l]! * x, 0)));
  const m = names.length;
  const gram = Float32Array.from({ length: m * m }, (_, i) => C[Math.floor(i / m)]!.reduce((s, x, k) => s + x * Gc[i % m]![k]!, 0) + (i % (m + 1) === 0 ? 1e-6 : 0));
  return {
    ...model,
    expression: { ...model.expression, names: names.map((_, k) => `exp${k}`) },
    arkitProjection: {
      rows: Uint8Array.from(names, (name) => (ARKIT_BLENDSHAPES as readonly string[]).indexOf(name)),
      gram,
      basis: Float32Array.from(Gc.flatMap((v) => Array.from(v))),
      shapes: Float32Array.from(C.flatMap((v) => Array.from(v))),
      eyeMetric: Float32Array.from(eyes),
      otherMetric: Float32Array.from(other),
    },
  };
}
