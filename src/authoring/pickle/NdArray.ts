import { modelFormatError } from '../../core/errors.js';
import { latin1Encode } from './latin1.js';
import type { PyObject, PyValue } from './pyValues.js';

/** numpy dtypes this reader turns into typed arrays. */
export type NumericDTypeName =
  | 'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

export type NumericArray =
  | Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** numpy's kind + item size (the 'f8' in a pickled `numpy.dtype('f8', …)`) → our name. */
const DTYPE_NAMES: Record<string, NumericDTypeName> = {
  b1: 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32',
  i8: 'int64', u8: 'uint64', f4: 'float32', f8: 'float64',
};

const ARRAY_TYPES: Record<NumericDTypeName, { new (buffer: ArrayBuffer): NumericArray; BYTES_PER_ELEMENT: number }> = {
  bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
};

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A pickled `numpy.dtype`: its element type and byte order (set by the pickle's BUILD). */
export class NumpyDType implements PyObject {
  /** numpy's kind and item size without byte order: 'f8', 'i4', 'b1', or e.g. 'U5', 'O8'. */
  readonly descr: string;
  /** '<' little, '>' big, '|' not applicable (one byte), '=' native. */
  byteOrder: string;
  private structured = false;

  constructor(descr: string) {
    const hasOrder = /^[<>|=]/.test(descr);
    this.byteOrder = hasOrder ? descr[0]! : '=';
    this.descr = hasOrder ? descr.slice(1) : descr;
  }

  /** Our name for the dtype; undefined for those that make no typed array (strings, objects, records). */
  get name(): NumericDTypeName | undefined {
    return this.structured ? undefined : DTYPE_NAMES[this.descr];
  }

  /** numpy's dtype state: (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]). */
  setState(state: PyValue): void {
    if (!Array.isArray(state) || typeof state[1] !== 'string') modelFormatError('The pickle holds a numpy dtype with an unreadable state.');
    this.byteOrder = state[1];
    this.structured = state[3] !== null && state[3] !== undefined;
  }

  describe(): string {
    return `the numpy dtype ${this.name ?? this.descr}`;
  }
}

/**
 * A numpy array as a typed array in C (row-major) order and the host's byte order, whatever
 * order and endianness the pickle stored. int64/uint64 come as BigInt64Array/BigUint64Array.
 * Arrays of other dtypes (strings, objects, records) load as `unreadable` with no data, so a
 * pickle that merely contains one still loads.
 */
export class NdArray implements PyObject {
  dtype: NumericDTypeName = 'float64';
  shape: number[] = [0];
  data: NumericArray = new Float64Array(0);
  /** What made the elements unreadable (e.g. "dtype 'U5'"); `data` is then empty. */
  unreadable?: string;
  /** An object array's elements in C order (what `np.save` of a dict holds: one, in a 0-d array). */
  objects?: PyValue[];

  /** Reads numpy's raw buffer: `bytes` holds the elements in C order, or Fortran order when `fortranOrder`. */
  static fromBytes(bytes: Uint8Array, dtype: NumpyDType, shape: number[], fortranOrder: boolean): NdArray {
    const array = new NdArray();
    array.shape = shape;
    const name = dtype.name;
    if (!name) {
      array.unreadable = `dtype '${dtype.descr}'`;
      return array;
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const itemSize = ARRAY_TYPES[name].BYTES_PER_ELEMENT;
    if (bytes.byteLength !== size * itemSize) {
      modelFormatError(
        `A numpy array in the pickle is corrupt: shape [${shape.join(', ')}] of ${name} needs ${size * itemSize} bytes, it holds ${bytes.byteLength}.`,
      );
    }
    const copy = new Uint8Array(bytes); // a copy with its own buffer (a Node Buffer's slice() is a view)
    const bigEndian = dtype.byteOrder === '>' || (dtype.byteOrder === '=' && !HOST_LITTLE_ENDIAN);
    if (itemSize > 1 && bigEndian === HOST_LITTLE_ENDIAN) swapBytes(copy, itemSize);
    array.dtype = name;
    const data = new ARRAY_TYPES[name](copy.buffer);
    array.data = fortranOrder && shape.length > 1 ? fortranToC(data, shape) : data;
    return array;
  }

  get size(): number {
    return this.data.length;
  }

  /** The elements as float64 numbers (int64 beyond ±2^53 loses precision). */
  toNumbers(): Float64Array {
    const out = new Float64Array(this.data.length);
    const data = this.data;
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
    return out;
  }

  /** The state `numpy.core.multiarray._reconstruct` leaves for BUILD: ([version,] shape, dtype, fortran, rawdata). */
  setState(state: PyValue): void {
    if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) modelFormatError('The pickle holds a numpy array with an unreadable state.');
    const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0) || !(dtype instanceof NumpyDType)) {
      modelFormatError('The pickle holds a numpy array with an unreadable shape or dtype.');
    }
    // Python 2 pickled the raw data as a str, which latin-1 loading turns into a string of byte values.
    const bytes = typeof raw === 'string' ? latin1Encode(raw) : raw;
    if (!(bytes instanceof Uint8Array)) {
      // Object arrays pickle their elements as a list.
      this.shape = shape as number[];
      this.unreadable = `dtype '${dtype.descr}' (Python objects)`;
      if (Array.isArray(raw)) this.objects = raw;
      return;
    }
    const built = NdArray.fromBytes(bytes, dtype, shape as number[], fortran === true || fortran === 1);
    this.dtype = built.dtype;
    this.shape = built.shape;
    this.data = built.data;
    if (built.unreadable) this.unreadable = built.unreadable;
  }

  describe(): string {
    const type = this.unreadable ? `numpy array of ${this.unreadable}, which this reader cannot read,` : `${this.dtype} array`;
    return `a ${type} of shape [${this.shape.join(', ')}]`;
  }
}

function swapBytes(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i < bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** Reorders column-major (Fortran) elements to row-major (C). */
function fortranToC<T extends NumericArray>(src: T, shape: number[]): T {
  const out = new (src.constructor as new (length: number) => T)(src.length);
  const rank = shape.length;
  const fortranStride = new Array<number>(rank);
  for (let k = 0, s = 1; k < rank; s *= shape[k]!, k++) fortranStride[k] = s;
  const index = new Array<number>(rank).fill(0);
  let srcOffset = 0;
  for (let i = 0; i < src.length; i++) {
    out[i] = src[srcOffset]!;
    // Advance the C-order multi-index (last axis fastest), tracking the Fortran offset.
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      srcOffset += fortranStride[k]!;
      if (index[k]! < shape[k]!) break;
      srcOffset -= fortranStride[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return out;
}
