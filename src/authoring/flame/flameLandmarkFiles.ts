/**
 * FLAME's own landmark embeddings (`import-flame --landmarks`): the community's reference
 * definitions of the Multi-PIE 68 and of MediaPipe's points on FLAME, which replace what the
 * registration computes (`flameLandmarks`) for the points they give. Three files, recognised by
 * what they hold, not by name:
 *
 * - `flame_static_embedding.pkl` (FLAME's site, RingNet, TF_FLAME): a pickle (Python 2, protocol
 *   0) of a dict with `lmk_face_idx` [51] and `lmk_b_coords` [51][3]: the iBUG 68 without the 17
 *   contour points, which DECA and RingNet take from a pose-dependent table instead.
 * - `landmark_embedding.npy` (DECA's `data/`): `np.save` of a dict (a pickle inside the .npy) with
 *   `static_lmk_faces_idx` [51], `static_lmk_bary_coords` [51][3], `full_lmk_faces_idx` [1][68],
 *   `full_lmk_bary_coords` [1][68][3], and the contour's dynamic table (PyTorch tensors, unused).
 * - `mediapipe_landmark_embedding.npz` (FLAME's site): `lmk_face_idx` [105], `lmk_b_coords`
 *   [105][3] and `landmark_indices` [105], the MediaPipe points they stand for.
 *
 * Face indices are FLAME's triangles in FLAME's order; the barycentrics weigh that triangle's
 * corners in FLAME's corner order.
 */
import { modelFormatError, TrackerError } from '../../core/errors.js';
import type { FaceModel, SurfaceEmbedding } from '../../core/model/FaceModel.js';
import { asNdArray } from '../pickle/knownObjects.js';
import { describePyValue, type PyValue } from '../pickle/pyValues.js';
import { isNpy, isZip, readNpy, readNpz } from '../pickle/readNpy.js';
import { readPickle } from '../pickle/readPickle.js';
import type { FlameModel } from './FlameModel.js';
import { quantile } from '../../core/math/quantile.js';

/** The model's embedding a file gives points of. */
export type LandmarkScheme = 'multipie68' | 'mediapipe478';

const SCHEME_SIZE: Record<LandmarkScheme, number> = { multipie68: 68, mediapipe478: 478 };

/** The iBUG 68's contour (jaw line) points, 0–16: the static 51 are points 17–67. */
const MULTIPIE_CONTOUR = 17;

/** Barycentric coordinates must sum to 1 within this. */
const BARYCENTRIC_SUM_TOLERANCE = 1e-3;

const EXPECTED_FILES =
  "FLAME's landmark embeddings: flame_static_embedding.pkl, DECA's landmark_embedding.npy or mediapipe_landmark_embedding.npz";

/** A landmark embedding on FLAME, as its file defines it. */
export interface FlameLandmarkFile {
  readonly scheme: LandmarkScheme;
  /** Which entries of the file were used, for the summary (e.g. "full_lmk_faces_idx"). */
  readonly keys: string;
  /** Each point's index in the scheme (Multi-PIE 0–67, MediaPipe 0–477). */
  readonly points: Uint32Array;
  /** Each point's FLAME triangle. */
  readonly faces: Float64Array;
  /** [points][3]: weights of the triangle's corners, in FLAME's corner order. */
  readonly barycentrics: Float64Array;
}

/** Reads one of FLAME's landmark embedding files (see the module comment); `model-format` errors say what it holds instead. */
export function readFlameLandmarkFile(bytes: Uint8Array): FlameLandmarkFile {
  const root = loadFile(bytes);
  if (!(root instanceof Map)) {
    modelFormatError(`It holds ${describePyValue(root)}, not a landmark embedding (a dict of triangle indices and barycentric coordinates). Pass one of ${EXPECTED_FILES}.`);
  }
  const has = (key: string) => root.has(key);
  if (has('lmk_face_idx') && has('landmark_indices')) {
    const file = embedding(root, 'lmk_face_idx', 'lmk_b_coords');
    const indices = integers(root, 'landmark_indices', file.faces.length);
    if (indices.some((i) => i >= SCHEME_SIZE.mediapipe478)) modelFormatError(`'landmark_indices' names MediaPipe point ${Math.max(...indices)}; MediaPipe has 478 (0…477). Pass FLAME's mediapipe_landmark_embedding.npz.`);
    if (new Set(indices).size !== indices.length) modelFormatError("'landmark_indices' names a MediaPipe point twice. Pass FLAME's mediapipe_landmark_embedding.npz.");
    return { scheme: 'mediapipe478', keys: 'lmk_face_idx, lmk_b_coords, landmark_indices', points: Uint32Array.from(indices), ...file };
  }
  if (has('full_lmk_faces_idx')) return multipie(root, 'full_lmk_faces_idx', 'full_lmk_bary_coords', [68]);
  if (has('lmk_face_idx')) return multipie(root, 'lmk_face_idx', 'lmk_b_coords', [51, 68]);
  if (has('static_lmk_faces_idx')) return multipie(root, 'static_lmk_faces_idx', 'static_lmk_bary_coords', [51]);
  const keys = [...root.keys()].map(String);
  if (has('v_template') && has('shapedirs')) modelFormatError(`This is a FLAME model, not a landmark embedding. Pass one of ${EXPECTED_FILES}.`);
  modelFormatError(
    `No landmark embedding in it (its keys: ${keys.join(', ') || 'none'}): expected lmk_face_idx and lmk_b_coords, or DECA's full_lmk_faces_idx and full_lmk_bary_coords. Pass one of ${EXPECTED_FILES}.`,
  );
}

/** What the file holds: a pickle, a .npy (a pickled dict inside, as np.save writes one) or a .npz. */
function loadFile(bytes: Uint8Array): PyValue {
  if (isZip(bytes)) return readNpz(bytes);
  if (isNpy(bytes)) {
    const array = readNpy(bytes);
    // np.save of a dict: a 0-d object array holding it.
    return array.objects && array.shape.length === 0 ? array.objects[0]! : array;
  }
  try {
    return readPickle(bytes);
  } catch (error) {
    if (error instanceof TrackerError && /^Not a Python pickle/.test(error.message)) {
      modelFormatError(`Neither a Python pickle nor a numpy .npy or .npz file. Pass one of ${EXPECTED_FILES}.`);
    }
    throw error;
  }
}

function multipie(root: Map<PyValue, PyValue>, facesKey: string, barycentricsKey: string, counts: number[]): FlameLandmarkFile {
  const file = embedding(root, facesKey, barycentricsKey);
  const count = file.faces.length;
  if (!counts.includes(count)) {
    modelFormatError(
      `'${facesKey}' holds ${count} landmarks; a Multi-PIE embedding on FLAME has ${counts.join(' or ')} (${counts.length > 1 ? 'all 68, or ' : ''}the 51 without the jaw line's 17). Pass one of ${EXPECTED_FILES}.`,
    );
  }
  const first = count === 68 ? 0 : MULTIPIE_CONTOUR;
  return { scheme: 'multipie68', keys: `${facesKey}, ${barycentricsKey}`, points: Uint32Array.from({ length: count }, (_, i) => first + i), ...file };
}

/** The triangle indices and barycentrics under the two keys, checked for shape and value. */
function embedding(root: Map<PyValue, PyValue>, facesKey: string, barycentricsKey: string): { faces: Float64Array; barycentrics: Float64Array } {
  const faces = integers(root, facesKey);
  if (faces.length === 0) modelFormatError(`'${facesKey}' holds no landmarks. Pass one of ${EXPECTED_FILES}.`);
  const array = asNdArray(root.get(barycentricsKey));
  if (!array) modelFormatError(`'${barycentricsKey}' is ${describePyValue(root.get(barycentricsKey) ?? null)}, expected a numeric array [${faces.length}][3]. Pass one of ${EXPECTED_FILES}.`);
  const shape = squeezeLeading(array.shape, 2);
  if (shape.length !== 2 || shape[0] !== faces.length || shape[1] !== 3) {
    modelFormatError(`'${barycentricsKey}' has shape [${array.shape.join(', ')}], expected [${faces.length}][3] (three barycentric coordinates for each of the ${faces.length} triangles in '${facesKey}'). Pass one of ${EXPECTED_FILES}.`);
  }
  const barycentrics = array.toNumbers();
  for (let i = 0; i < faces.length; i++) {
    const row = barycentrics.subarray(3 * i, 3 * i + 3);
    const sum = row[0]! + row[1]! + row[2]!;
    if (!row.every(Number.isFinite) || Math.abs(sum - 1) > BARYCENTRIC_SUM_TOLERANCE) {
      modelFormatError(`'${barycentricsKey}' row ${i} is [${Array.from(row, (w) => w.toPrecision(4)).join(', ')}]: barycentric coordinates sum to 1. The file is corrupt.`);
    }
  }
  return { faces, barycentrics };
}

/** A 1-D array of non-negative integers (leading axes of length 1 dropped, as DECA's [1][68]). */
function integers(root: Map<PyValue, PyValue>, key: string, count?: number): Float64Array {
  const array = asNdArray(root.get(key));
  const expected = `a 1-D array of integers${count === undefined ? '' : ` [${count}]`}`;
  if (!array) modelFormatError(`'${key}' is ${describePyValue(root.get(key) ?? null)}, expected ${expected}. Pass one of ${EXPECTED_FILES}.`);
  const shape = squeezeLeading(array.shape, 1);
  const values = array.toNumbers();
  if (shape.length !== 1 || (count !== undefined && shape[0] !== count)) modelFormatError(`'${key}' has shape [${array.shape.join(', ')}], expected ${expected}. Pass one of ${EXPECTED_FILES}.`);
  if (!values.every((v) => Number.isInteger(v) && v >= 0)) modelFormatError(`'${key}' holds values that are not indices (negative or fractional): expected ${expected}. The file is corrupt.`);
  return values;
}

/** `shape` without leading axes of length 1, down to `rank` axes. */
function squeezeLeading(shape: number[], rank: number): number[] {
  let first = 0;
  while (shape.length - first > rank && shape[first] === 1) first++;
  return shape.slice(first);
}

/**
 * A file's points on the converted model: each FLAME triangle is found among the model's (whose
 * order and corner rotation follow the UV template, with vertices split at seams), and each
 * barycentric weight goes to the copy of the FLAME corner it weighs in that triangle.
 */
export function placeOnModel(file: FlameLandmarkFile, flame: FlameModel, model: FaceModel): SurfaceEmbedding {
  const flameTriangles = flame.faces.length / 3;
  const worst = Math.max(...file.faces);
  if (worst >= flameTriangles) {
    modelFormatError(`It refers to FLAME triangle ${worst}, but the FLAME model has ${flameTriangles} (0…${flameTriangles - 1}). Pass the landmark embedding for this FLAME version.`);
  }
  const n = flame.vertexCount;
  const source = (v: number) => (model.sourceVertex ? model.sourceVertex[v]! : v);
  const key = (a: number, b: number, c: number) => {
    const [x, y, z] = [a, b, c].sort((p, q) => p - q) as [number, number, number];
    return (x * n + y) * n + z;
  };
  const modelTriangle = new Map<number, number>();
  for (let t = 0; t < model.triangles.length / 3; t++) {
    modelTriangle.set(key(source(model.triangles[3 * t]!), source(model.triangles[3 * t + 1]!), source(model.triangles[3 * t + 2]!)), t);
  }
  const count = file.points.length;
  const vertices = new Uint32Array(3 * count);
  const weights = new Float32Array(3 * count);
  for (let i = 0; i < count; i++) {
    const corners = [0, 1, 2].map((k) => flame.faces[3 * file.faces[i]! + k]!) as [number, number, number];
    const t = modelTriangle.get(key(...corners));
    if (t === undefined) modelFormatError(`FLAME triangle ${file.faces[i]} is not among the model's triangles.`); // flameToFaceModel checked they match
    for (let k = 0; k < 3; k++) {
      const corner = [0, 1, 2].map((j) => model.triangles[3 * t + j]!).find((v) => source(v) === corners[k])!;
      vertices[3 * i + k] = corner;
      weights[3 * i + k] = file.barycentrics[3 * i + k]!;
    }
  }
  return { vertices, weights };
}

/** How a landmark file was used: for the import's summary. */
export interface LandmarkFileUse {
  readonly scheme: LandmarkScheme;
  /** The points it gave, of the scheme's 68 or 478. */
  readonly points: number;
  readonly keys: string;
  /** How far its points lie from the registration's (on FLAME's template, mm). */
  readonly medianMm: number;
  readonly maxMm: number;
}

/**
 * `ours` with the file's points put in place of the same points (the rest kept), and how far
 * they moved on the model's template.
 */
export function replacePoints(ours: SurfaceEmbedding, file: FlameLandmarkFile, placed: SurfaceEmbedding, model: FaceModel): { embedding: SurfaceEmbedding; use: LandmarkFileUse } {
  if (ours.vertices.length !== 3 * SCHEME_SIZE[file.scheme]) throw new TrackerError('invalid-state', `The registration's ${file.scheme} embedding has ${ours.vertices.length / 3} points.`);
  const vertices = ours.vertices.slice(), weights = ours.weights.slice();
  const mm = 1000 * model.metersPerUnit;
  const distances: number[] = [];
  file.points.forEach((point, i) => {
    const before = pointOn(ours, point, model.template), after = pointOn(placed, i, model.template);
    distances.push(mm * Math.hypot(after[0] - before[0], after[1] - before[1], after[2] - before[2]));
    vertices.set(placed.vertices.subarray(3 * i, 3 * i + 3), 3 * point);
    weights.set(placed.weights.subarray(3 * i, 3 * i + 3), 3 * point);
  });
  return {
    embedding: { vertices, weights },
    use: { scheme: file.scheme, points: file.points.length, keys: file.keys, medianMm: quantile(distances, 0.5), maxMm: Math.max(...distances) },
  };
}

function pointOn(embedding: SurfaceEmbedding, point: number, positions: Float32Array): [number, number, number] {
  const p: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const v = embedding.vertices[3 * point + k]!, w = embedding.weights[3 * point + k]!;
    for (let c = 0; c < 3; c++) p[c] += w * positions[3 * v + c]!;
  }
  return p;
}
