import { modelFormatError } from '../../core/errors.js';
import { NdArray } from './NdArray.js';
import { describePyValue, type PyObject, type PyValue } from './pyValues.js';

/**
 * A scipy sparse matrix (csc_matrix / csr_matrix and their *_array twins), from the instance
 * dict scipy pickles: data, indices, indptr and _shape.
 */
export class SparseMatrix implements PyObject {
  shape: [number, number] = [0, 0];
  data = new NdArray();
  indices = new NdArray();
  indptr = new NdArray();

  constructor(readonly format: 'csc' | 'csr') {}

  setState(state: PyValue): void {
    const fields = state instanceof Map ? state : undefined;
    const shape = fields?.get('_shape') ?? fields?.get('shape');
    const [data, indices, indptr] = ['data', 'indices', 'indptr'].map((k) => fields?.get(k));
    if (!Array.isArray(shape) || shape.length !== 2 || !(data instanceof NdArray) || !(indices instanceof NdArray) || !(indptr instanceof NdArray)) {
      modelFormatError(`The pickle holds a scipy ${this.format}_matrix without its data, indices, indptr and shape.`);
    }
    this.shape = [Number(shape[0]), Number(shape[1])];
    this.data = data;
    this.indices = indices;
    this.indptr = indptr;
    const major = this.format === 'csc' ? this.shape[1] : this.shape[0];
    if (indptr.size !== major + 1 || indices.size !== data.size || Number(indptr.data[major]) !== data.size) {
      modelFormatError(`The pickle holds a corrupt scipy ${this.format}_matrix (indptr/indices/data lengths disagree with its shape).`);
    }
  }

  /** The stored entries as (row, column, value) triplets. */
  entries(): { row: Uint32Array; col: Uint32Array; value: Float64Array } {
    const indices = this.indices.toNumbers();
    const indptr = this.indptr.toNumbers();
    const value = this.data.toNumbers();
    const row = new Uint32Array(value.length);
    const col = new Uint32Array(value.length);
    const minorCount = this.format === 'csc' ? this.shape[0] : this.shape[1];
    for (let major = 0; major + 1 < indptr.length; major++) {
      for (let i = indptr[major]!; i < indptr[major + 1]!; i++) {
        const minor = indices[i]!;
        if (!(minor >= 0 && minor < minorCount)) modelFormatError(`The pickle holds a corrupt scipy ${this.format}_matrix (index ${minor} out of range).`);
        row[i] = this.format === 'csc' ? minor : major;
        col[i] = this.format === 'csc' ? major : minor;
      }
    }
    return { row, col, value };
  }

  describe(): string {
    return `a scipy ${this.format}_matrix of shape [${this.shape.join(', ')}]`;
  }
}

/** A chumpy `Ch` (the autodiff arrays of the SMPL/FLAME releases): its value is the array under 'x'. */
export class ChumpyArray implements PyObject {
  value = new NdArray();

  setState(state: PyValue): void {
    const x = state instanceof Map ? state.get('x') : undefined;
    if (!(x instanceof NdArray)) modelFormatError(`The pickle holds a chumpy Ch whose value 'x' is ${describePyValue(x ?? null)}, not a numpy array.`);
    this.value = x;
  }

  describe(): string {
    return `a chumpy Ch of shape [${this.value.shape.join(', ')}]`;
  }
}

/** The numeric array a value holds: a numpy array itself, or a chumpy Ch's value. */
export function asNdArray(value: PyValue | undefined): NdArray | undefined {
  const array = value instanceof ChumpyArray ? value.value : value;
  return array instanceof NdArray && !array.unreadable ? array : undefined;
}
