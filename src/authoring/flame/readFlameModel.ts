import { modelFormatError } from '../../core/errors.js';
import { asNdArray, SparseMatrix } from '../pickle/knownObjects.js';
import type { NdArray } from '../pickle/NdArray.js';
import { describePyValue, type PyValue } from '../pickle/pyValues.js';
import { FLAME_JOINT_NAMES, FLAME_SHAPE_COMPONENTS, type FlameModel } from './FlameModel.js';

const REQUIRED_KEYS = ['v_template', 'shapedirs', 'posedirs', 'weights', 'J_regressor', 'kintree_table', 'f'];
const WHAT_TO_PASS = "Pass FLAME's generic_model.pkl (FLAME 2020) or flame2023*.pkl as downloaded from flame.is.tue.mpg.de.";

/**
 * Reads a loaded FLAME pickle (the dict of FLAME 2020's generic_model.pkl, chumpy arrays and a
 * sparse J_regressor, or FLAME 2023's plain numpy arrays) into a validated `FlameModel`.
 * Throws `model-format` errors that say which entry is wrong.
 */
export function readFlameModel(root: PyValue): FlameModel {
  if (!(root instanceof Map)) modelFormatError(`Not a FLAME model: the pickle holds ${describePyValue(root)}, not a dict. ${WHAT_TO_PASS}`);
  const missing = REQUIRED_KEYS.filter((k) => !root.has(k));
  if (missing.length > 0) {
    const keys = [...root.keys()].slice(0, 12).map(String).join(', ');
    modelFormatError(`Not a FLAME model: the pickle has no ${missing.map((k) => `'${k}'`).join(', ')} (its keys: ${keys}). ${WHAT_TO_PASS}`);
  }
  const array = (key: string): NdArray => {
    const a = asNdArray(root.get(key));
    if (!a) modelFormatError(`FLAME's '${key}' is ${describePyValue(root.get(key)!)}, expected a numpy array. ${WHAT_TO_PASS}`);
    return a;
  };
  const expectShape = (key: string, a: { shape: readonly number[] }, expected: (number | undefined)[], meaning: string): void => {
    if (a.shape.length !== expected.length || expected.some((d, i) => d !== undefined && d !== a.shape[i])) {
      const want = expected.map((d) => d ?? '*').join(', ');
      modelFormatError(`FLAME's '${key}' has shape [${a.shape.join(', ')}], expected [${want}] (${meaning}). The file is damaged or not FLAME. ${WHAT_TO_PASS}`);
    }
  };

  const template = array('v_template');
  expectShape('v_template', template, [undefined, 3], 'vertices × xyz');
  const vertexCount = template.shape[0]!;

  const kintree = array('kintree_table');
  expectShape('kintree_table', kintree, [2, FLAME_JOINT_NAMES.length], "parent and joint id of FLAME's 5 joints");
  const jointCount = FLAME_JOINT_NAMES.length;
  const parents = parentsFromKintree(kintree);

  const shapedirs = array('shapedirs');
  expectShape('shapedirs', shapedirs, [vertexCount, 3, undefined], 'vertices × xyz × components');
  const componentCount = shapedirs.shape[2]!;
  if (componentCount <= FLAME_SHAPE_COMPONENTS) {
    modelFormatError(
      `FLAME's 'shapedirs' has ${componentCount} components; FLAME 2020/2023 have ${FLAME_SHAPE_COMPONENTS} shape + 100 expression components, and this importer needs at least ${FLAME_SHAPE_COMPONENTS + 1}. ${WHAT_TO_PASS}`,
    );
  }
  const posedirs = array('posedirs');
  expectShape('posedirs', posedirs, [vertexCount, 3, 9 * (jointCount - 1)], 'vertices × xyz × 9 entries of R − I per non-root joint');
  const weights = array('weights');
  expectShape('weights', weights, [vertexCount, jointCount], 'vertices × joints');
  const faces = array('f');
  expectShape('f', faces, [undefined, 3], 'triangles × corners');
  const faceIndices = faces.toNumbers();
  if (faceIndices.some((v) => !(Number.isInteger(v) && v >= 0 && v < vertexCount))) {
    modelFormatError(`FLAME's 'f' refers to vertices outside 0…${vertexCount - 1}. The file is damaged. ${WHAT_TO_PASS}`);
  }

  return {
    vertexCount,
    template: template.toNumbers(),
    shapedirs: shapedirs.toNumbers(),
    componentCount,
    posedirs: posedirs.toNumbers(),
    weights: weights.toNumbers(),
    parents,
    regressor: readRegressor(root.get('J_regressor')!, jointCount, vertexCount),
    faces: Uint32Array.from(faceIndices),
  };
}

/**
 * kintree_table row 0 holds each joint's parent id (2^32 − 1, i.e. −1 as uint32, for the root),
 * row 1 the joint ids; column i is joint i, as in SMPL/FLAME's own loaders.
 */
function parentsFromKintree(kintree: NdArray): Int32Array {
  const values = kintree.toNumbers();
  const n = kintree.shape[1]!;
  const columnOfId = new Map<number, number>();
  for (let col = 0; col < n; col++) columnOfId.set(values[n + col]!, col);
  const parents = new Int32Array(n);
  parents[0] = -1;
  for (let col = 1; col < n; col++) {
    const parent = columnOfId.get(values[col]!);
    if (parent === undefined || parent >= col) {
      modelFormatError(`FLAME's 'kintree_table' is not a tree rooted at joint 0 (joint ${col} has parent id ${values[col]}). ${WHAT_TO_PASS}`);
    }
    parents[col] = parent;
  }
  return parents;
}

/** J_regressor as its nonzero entries, from a scipy sparse matrix (FLAME 2020) or a dense array. */
function readRegressor(value: PyValue, jointCount: number, vertexCount: number): FlameModel['regressor'] {
  const shape = value instanceof SparseMatrix ? value.shape : asNdArray(value)?.shape;
  if (!shape) modelFormatError(`FLAME's 'J_regressor' is ${describePyValue(value)}, expected a scipy sparse matrix or a numpy array. ${WHAT_TO_PASS}`);
  if (shape.length !== 2 || shape[0] !== jointCount || shape[1] !== vertexCount) {
    modelFormatError(`FLAME's 'J_regressor' has shape [${shape.join(', ')}], expected [${jointCount}, ${vertexCount}] (joints × vertices). ${WHAT_TO_PASS}`);
  }
  const { row, col, value: weight } = value instanceof SparseMatrix ? value.entries() : denseEntries(asNdArray(value)!);
  // Sparse matrices may store explicit zeros; they carry nothing.
  const keep = Array.from(weight.keys()).filter((i) => weight[i] !== 0);
  return {
    joint: Uint32Array.from(keep, (i) => row[i]!),
    vertex: Uint32Array.from(keep, (i) => col[i]!),
    weight: Float64Array.from(keep, (i) => weight[i]!),
  };
}

/** The nonzero entries of a dense 2-D array as (row, column, value) triplets. */
function denseEntries(a: NdArray): { row: Uint32Array; col: Uint32Array; value: Float64Array } {
  const dense = a.toNumbers();
  const columns = a.shape[1]!;
  const nonzero = Array.from(dense.keys()).filter((i) => dense[i] !== 0);
  return {
    row: Uint32Array.from(nonzero, (i) => Math.floor(i / columns)),
    col: Uint32Array.from(nonzero, (i) => i % columns),
    value: Float64Array.from(nonzero, (i) => dense[i]!),
  };
}
