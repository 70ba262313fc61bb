/**
 * ARKit-52 weights for FLAME: a linear map from FLAME's expression coefficients and jaw and eye
 * rotations to the 52 ARKit weights, made at import from the default model's ARKit-named
 * expressions.
 *
 * 1. Each ARKit shape of the default model is carried onto FLAME's face through the registration
 *    (each FLAME face vertex takes the motion of its closest point on the registered default
 *    model), scaled into FLAME's units.
 * 2. FLAME's coefficients that reproduce it are solved by regularized least squares over the face
 *    (expressions, and the jaw's rotation linearized at rest: its skinning and pose correctives):
 *    the columns of C, one per ARKit shape.
 * 3. At run time the weights w of a fit x are the ARKit combination in [0, 1] whose FLAME motion
 *    is closest to the fit's (`ArkitProjection`: A = CᵀGC + μI, P = CᵀG with G = BᵀB).
 * The eyeLook shapes come from the eye joints instead (the default model's eyeLook shapes move
 * only the lids; MediaPipe's, like FLAME's eye joints, follow the irises): a weight of 1 is the
 * eye turned `EYE_YAW_MAX_RAD` sideways or `EYE_PITCH_MAX_RAD` up or down, as `eyeGaze` reads them.
 */
import { ARKIT_BLENDSHAPES, arkitMapFromNames, type ArkitMap } from '../../core/arkit.js';
import { ARKIT_EYE_SHAPES, ArkitProjector, type ArkitProjection } from '../../core/arkitProjection.js';
import { EYE_PITCH_MAX_RAD, EYE_YAW_MAX_RAD } from '../../core/eyeGaze.js';
import type { FaceModel } from '../../core/model/FaceModel.js';
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import { choleskyFactor, choleskySolve } from '../../core/fit/cholesky.js';
import { TriangleGrid } from '../geometry/TriangleGrid.js';
import type { ReferenceRegistration } from '../registration/registerReference.js';
import { FLAME_JOINT_NAMES } from './FlameModel.js';

/** How one ARKit shape carried onto FLAME is reproduced by FLAME's coefficients, mm over the face. */
export interface ArkitShapeError {
  name: string;
  /** The carried shape's largest motion. */
  motionMaxMm: number;
  /** What FLAME's best coefficients leave of it: RMS and largest, over the face. */
  rmsMm: number;
  maxMm: number;
  /** The map's weight for this shape when FLAME shows exactly that reproduction (ideally 1), and the largest other weight (ideally 0). */
  selfWeight: number;
  crossWeight: number;
}

export interface FlameArkitMap {
  /** Every ARKit shape of the default model but the eyeLooks. */
  projection: ArkitProjection;
  /** The eyeLooks, from the eye joints. */
  eyeLooks: ArkitMap;
  errors: ArkitShapeError[];
}

/** Ridge on FLAME's coefficients, relative to the mean diagonal of BᵀB: keeps unused directions at zero. */
const COEFFICIENT_RIDGE = 1e-4;
/**
 * Ridge on the ARKit weights in the run-time projection, relative to each shape's own squared
 * motion (A's diagonal): keeps A positive definite where shapes nearly coincide, at 1e-4 of a
 * lone shape's weight. Overlapping shapes that cancel out are settled by MediaPipe's scores at run
 * time (`ARKIT_SCORE_WEIGHT`), not here: a larger ridge shrank every weight as well.
 */
const WEIGHT_RIDGE = 1e-4;
/** Step of the jaw rotation's finite difference, radians. */
const JAW_STEP = 1e-3;

/** The eye region: where an eye shape moves the face by more than this share of its largest motion. */
const EYE_REGION_SHARE = 0.2;

const EYE_LOOK = /^eyeLook(In|Out|Up|Down)(Left|Right)$/;

export function flameArkitMap(flame: FaceModel, reference: FaceModel, registration: ReferenceRegistration, face: ArrayLike<number>): FlameArkitMap {
  const named = arkitMapFromNames(reference.expression.names);
  if (!named) throw new Error('flameArkitMap: the reference model has no ARKit-named expressions');
  const vertices = Array.from(face);
  const rows = vertices.length * 3;
  const expressionCount = flame.expression.names.length;
  const jaw = FLAME_JOINT_NAMES.indexOf('jaw');
  const inputs = expressionCount + 3; // the expressions, then the jaw's rotation

  // B: FLAME's motion per input over the face ([rows][inputs]).
  const B = new Float64Array(rows * inputs);
  const n3 = flame.vertexCount * 3;
  vertices.forEach((v, i) => {
    for (let k = 0; k < expressionCount; k++) for (let c = 0; c < 3; c++) B[(3 * i + c) * inputs + k] = flame.expression.deltas[k * n3 + 3 * v + c]!;
  });
  const evaluator = new FaceModelEvaluator(flame);
  const rest = evaluator.evaluateMesh({});
  for (let axis = 0; axis < 3; axis++) {
    const rotations = new Float64Array(3 * FLAME_JOINT_NAMES.length);
    rotations[3 * jaw + axis] = JAW_STEP;
    const moved = evaluator.evaluateMesh({ jointRotations: rotations });
    vertices.forEach((v, i) => {
      for (let c = 0; c < 3; c++) B[(3 * i + c) * inputs + expressionCount + axis] = (moved[3 * v + c]! - rest[3 * v + c]!) / JAW_STEP;
    });
  }

  // The ARKit shapes carried onto the face ([shape][rows]), but the eyeLooks.
  const shapes = ARKIT_BLENDSHAPES.map((name, row) => ({ name, row })).filter(({ name, row }) => !EYE_LOOK.test(name) && named.row.includes(row));
  const carried = carryShapes(reference, registration, flame, vertices, named, shapes.map((s) => s.row));

  // C: FLAME's coefficients for each shape.
  const G = gram(B, rows, inputs);
  const ridge = (COEFFICIENT_RIDGE * trace(G, inputs)) / inputs;
  const Gr = Float64Array.from(G);
  for (let k = 0; k < inputs; k++) Gr[k * inputs + k] += ridge;
  if (!choleskyFactor(Gr, inputs)) throw new Error('flameArkitMap: FLAME basis is degenerate');
  const C = shapes.map((_, s) => {
    const rhs = new Float64Array(inputs);
    for (let r = 0; r < rows; r++) {
      const d = carried[s]![r]!;
      if (d !== 0) for (let k = 0; k < inputs; k++) rhs[k] += B[r * inputs + k]! * d;
    }
    choleskySolve(Gr, inputs, rhs);
    return rhs;
  });

  // The run-time projection: A = CᵀGC (ridged) and P = CᵀG over every input (expressions, then all
  // joints' rotations), both scaled by A's mean diagonal.
  const m = shapes.length;
  const GC = C.map((c) => multiply(G, inputs, c));
  const A = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) A[a * m + b] = dot(C[a]!, GC[b]!);
  const scale = trace(A, m) / m;
  for (let a = 0; a < m; a++) A[a * m + a] *= 1 + WEIGHT_RIDGE;
  // Our inputs (expressions, jaw) among the map's (expressions, then every joint's rotation).
  const jointCount = FLAME_JOINT_NAMES.length;
  const mapInputs = expressionCount + 3 * jointCount;
  const mapInput = (k: number) => (k < expressionCount ? k : expressionCount + 3 * jaw + (k - expressionCount));
  const rowsOf = (vectors: Float64Array[], scaleBy: number) => {
    const out = new Float32Array(vectors.length * mapInputs);
    vectors.forEach((v, a) => v.forEach((x, k) => (out[a * mapInputs + mapInput(k)] = x / scaleBy)));
    return out;
  };

  // The blendshape prior's metrics: BᵀB over the eyes (where the eye shapes move the face) and
  // over the rest, each scaled by its shapes' mean squared motion.
  const eyeShapes = shapes.map((s, a) => (ARKIT_EYE_SHAPES.test(s.name) ? a : -1)).filter((a) => a >= 0);
  const eyeRows = eyeRegionRows(eyeShapes.map((a) => carried[a]!), vertices.length);
  const eyeG = gram(B, rows, inputs, eyeRows);
  const otherG = G.map((g, i) => g - eyeG[i]!);
  const meanMotion = (metric: Float64Array, among: number[]) => among.reduce((sum, a) => sum + dot(C[a]!, multiply(metric, inputs, C[a]!)), 0) / among.length;
  const eyeScale = meanMotion(eyeG, eyeShapes);
  const otherScale = meanMotion(otherG, shapes.map((_, a) => a).filter((a) => !eyeShapes.includes(a)));
  const metric = (g: Float64Array, scaleBy: number) => {
    const out = new Float32Array(mapInputs * mapInputs);
    for (let k = 0; k < inputs; k++) for (let l = 0; l < inputs; l++) out[mapInput(k) * mapInputs + mapInput(l)] = g[k * inputs + l]! / scaleBy;
    return out;
  };

  const projection: ArkitProjection = {
    rows: Uint8Array.from(shapes, (s) => s.row),
    gram: Float32Array.from(A, (v) => v / scale),
    basis: rowsOf(GC, scale),
    shapes: rowsOf(C, 1),
    eyeMetric: metric(eyeG, eyeScale),
    otherMetric: metric(otherG, otherScale),
  };

  const mm = flame.metersPerUnit * 1000;
  const errors = shapes.map(({ name }, s) => {
    const reproduced = multiplyRows(B, rows, inputs, C[s]!);
    const target = carried[s]!;
    let sq = 0, max = 0, motion = 0;
    for (let i = 0; i < vertices.length; i++) {
      const e = Math.hypot(reproduced[3 * i]! - target[3 * i]!, reproduced[3 * i + 1]! - target[3 * i + 1]!, reproduced[3 * i + 2]! - target[3 * i + 2]!);
      sq += e * e;
      max = Math.max(max, e);
      motion = Math.max(motion, Math.hypot(target[3 * i]!, target[3 * i + 1]!, target[3 * i + 2]!));
    }
    const arkit = new ArkitProjector(projection).solve(C[s]!.subarray(0, expressionCount), jawOnly(C[s]!.subarray(expressionCount), jaw, jointCount));
    const weights = shapes.map(({ row }) => arkit[row]!);
    return {
      name,
      motionMaxMm: motion * mm,
      rmsMm: Math.sqrt(sq / vertices.length) * mm,
      maxMm: max * mm,
      selfWeight: weights[s]!,
      crossWeight: Math.max(...weights.filter((_, a) => a !== s).map(Math.abs)),
    };
  });
  const eyeLooks = eyeLookEntries(expressionCount);
  return {
    projection,
    eyeLooks: { row: Uint8Array.from(eyeLooks, (e) => e.row), column: Uint16Array.from(eyeLooks, (e) => e.column), weight: Float32Array.from(eyeLooks, (e) => e.weight) },
    errors,
  };
}

/** Each ARKit shape (by row) of the reference, as motion of FLAME's face vertices ([shape][vertices × 3], FLAME units). */
function carryShapes(reference: FaceModel, registration: ReferenceRegistration, flame: FaceModel, vertices: number[], named: ArkitMap, rows: number[]): Float64Array[] {
  const inRegion = new Uint8Array(reference.vertexCount);
  for (const v of reference.fittingRegion) inRegion[v] = 1;
  const triangles: number[] = [];
  for (let t = 0; t < reference.triangles.length / 3; t++) if ([0, 1, 2].every((k) => inRegion[reference.triangles[3 * t + k]!])) triangles.push(t);
  const grid = new TriangleGrid(registration.referenceOnTarget, reference.triangles, triangles);
  const hits = vertices.map((v) => grid.closest(flame.template, v));
  const R = registration.transform.rotation, s = registration.transform.scale, n3 = reference.vertexCount * 3;
  return rows.map((row) => {
    const out = new Float64Array(vertices.length * 3);
    for (let e = 0; e < named.row.length; e++) {
      if (named.row[e] !== row) continue;
      const deltas = reference.expression.deltas.subarray(named.column[e]! * n3, (named.column[e]! + 1) * n3), weight = named.weight[e]!;
      hits.forEach((h, i) => {
        const t = 3 * h.triangle;
        const d = [0, 1, 2].map((c) => h.wa * deltas[3 * reference.triangles[t]! + c]! + h.wb * deltas[3 * reference.triangles[t + 1]! + c]! + h.wc * deltas[3 * reference.triangles[t + 2]! + c]!);
        for (let r = 0; r < 3; r++) out[3 * i + r] += weight * s * (R[3 * r]! * d[0]! + R[3 * r + 1]! * d[1]! + R[3 * r + 2]! * d[2]!);
      });
    }
    return out;
  });
}

/**
 * The eyeLook rows from the eye joints' rotations (small angles: yaw ≈ the rotation about +Y,
 * pitch ≈ about +X; `eyeGaze`'s conventions: yaw > 0 looks towards the subject's left, pitch > 0 down).
 */
function eyeLookEntries(expressionCount: number): { row: number; column: number; weight: number }[] {
  const row = (name: string) => (ARKIT_BLENDSHAPES as readonly string[]).indexOf(name);
  const column = (joint: string, axis: number) => expressionCount + 3 * FLAME_JOINT_NAMES.indexOf(joint as (typeof FLAME_JOINT_NAMES)[number]) + axis;
  const yaw = 1 / EYE_YAW_MAX_RAD, pitch = 1 / EYE_PITCH_MAX_RAD;
  return [
    // Left eye: looking towards the subject's left is looking out.
    { row: row('eyeLookOutLeft'), column: column('eye_L', 1), weight: yaw },
    { row: row('eyeLookInLeft'), column: column('eye_L', 1), weight: -yaw },
    { row: row('eyeLookDownLeft'), column: column('eye_L', 0), weight: pitch },
    { row: row('eyeLookUpLeft'), column: column('eye_L', 0), weight: -pitch },
    // Right eye: looking towards the subject's left is looking in.
    { row: row('eyeLookInRight'), column: column('eye_R', 1), weight: yaw },
    { row: row('eyeLookOutRight'), column: column('eye_R', 1), weight: -yaw },
    { row: row('eyeLookDownRight'), column: column('eye_R', 0), weight: pitch },
    { row: row('eyeLookUpRight'), column: column('eye_R', 0), weight: -pitch },
  ];
}

/** All joints' rotations ([joint][3]) with only the jaw's set. */
function jawOnly(jawRotation: ArrayLike<number>, jaw: number, jointCount: number): Float64Array {
  const rotations = new Float64Array(3 * jointCount);
  for (let axis = 0; axis < 3; axis++) rotations[3 * jaw + axis] = jawRotation[axis]!;
  return rotations;
}

/** Rows (vertex × 3) where any of the shapes moves the face by more than `EYE_REGION_SHARE` of its largest motion. */
function eyeRegionRows(shapes: Float64Array[], vertexCount: number): Uint8Array {
  const inRegion = new Uint8Array(vertexCount * 3);
  for (const motion of shapes) {
    const size = Array.from({ length: vertexCount }, (_, i) => Math.hypot(motion[3 * i]!, motion[3 * i + 1]!, motion[3 * i + 2]!));
    const threshold = EYE_REGION_SHARE * Math.max(...size);
    size.forEach((s, i) => s > threshold && inRegion.fill(1, 3 * i, 3 * i + 3));
  }
  return inRegion;
}

/** BᵀB, over the rows `only` marks when given. */
function gram(B: Float64Array, rows: number, cols: number, only?: Uint8Array): Float64Array {
  const G = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) {
    if (only && !only[r]) continue;
    const o = r * cols;
    for (let a = 0; a < cols; a++) {
      const ba = B[o + a]!;
      if (ba === 0) continue;
      for (let b = a; b < cols; b++) G[a * cols + b] += ba * B[o + b]!;
    }
  }
  for (let a = 0; a < cols; a++) for (let b = 0; b < a; b++) G[a * cols + b] = G[b * cols + a]!;
  return G;
}

const trace = (A: Float64Array, n: number) => Array.from({ length: n }, (_, k) => A[k * n + k]!).reduce((x, y) => x + y, 0);
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function multiply(A: Float64Array, n: number, x: Float64Array): Float64Array {
  return Float64Array.from({ length: n }, (_, r) => dot(A.subarray(r * n, (r + 1) * n), x));
}

function multiplyRows(B: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  return Float64Array.from({ length: rows }, (_, r) => dot(B.subarray(r * cols, (r + 1) * cols), x));
}
