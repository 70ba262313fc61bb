/**
 * numpy's own files: `.npy` (one array: a header, then the raw elements, or a pickle for an
 * object array, which is what `np.save` of a dict writes) and `.npz` (a zip of `.npy` files, as
 * `np.savez` and `np.savez_compressed` write them).
 */
import { unzipSync } from 'fflate';
import { modelFormatError } from '../../core/errors.js';
import { latin1Decode } from './latin1.js';
import { NdArray, NumpyDType } from './NdArray.js';
import { readPickle } from './readPickle.js';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\3\4 (an empty archive starts with its end record, PK\5\6)

export function isNpy(bytes: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b) || (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x05 && bytes[3] === 0x06);
}

/**
 * Reads a `.npy` file (format versions 1–3). Numeric arrays come back as typed arrays in C order
 * (`NdArray.fromBytes`); an object array (`dtype('O')`) is unpickled, with its elements in
 * `objects`; other dtypes (strings, records) load as `unreadable`.
 */
export function readNpy(bytes: Uint8Array): NdArray {
  if (!isNpy(bytes)) modelFormatError(`Not a numpy .npy file (it does not start with \\x93NUMPY).`);
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) modelFormatError(`A .npy file of format version ${major}; numpy writes versions 1 to 3.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) truncated(bytes);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < start + headerLength) truncated(bytes);
  const headerBytes = bytes.subarray(start, start + headerLength);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1Decode(headerBytes);
  const body = bytes.subarray(start + headerLength);

  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(header)?.[2];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (fortran === undefined || shapeText === undefined) modelFormatError(`Unreadable .npy header: ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) modelFormatError(`Unreadable .npy header: shape (${shapeText}).`);
  if (descr === undefined) {
    // A structured dtype: its descr is a list of fields.
    const array = new NdArray();
    array.shape = shape;
    array.unreadable = 'a structured dtype';
    return array;
  }
  const dtype = new NumpyDType(descr);
  if (dtype.descr.startsWith('O')) {
    const value = readPickle(body);
    if (!(value instanceof NdArray) || !value.objects) modelFormatError('A .npy file of Python objects whose pickle does not hold an object array.');
    return value;
  }
  if (dtype.name) {
    const size = shape.reduce((a, b) => a * b, 1) * Number(dtype.descr.slice(1));
    if (body.length < size) truncated(bytes);
    return NdArray.fromBytes(body.subarray(0, size), dtype, shape, fortran === 'True');
  }
  return NdArray.fromBytes(new Uint8Array(0), dtype, shape, false); // unreadable: strings and the like
}

/** Reads a `.npz` archive: each `<name>.npy` member as an array under `<name>`. */
export function readNpz(bytes: Uint8Array): Map<string, NdArray> {
  if (!isZip(bytes)) modelFormatError('Not a numpy .npz file (it is not a zip archive).');
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    modelFormatError(`Not a readable .npz (zip) archive (${(error as Error).message}): the file may be cut off. Download it again.`);
  }
  const arrays = new Map<string, NdArray>();
  for (const [name, member] of Object.entries(files)) {
    if (name.endsWith('.npy')) arrays.set(name.slice(0, -4), readNpy(member));
  }
  return arrays;
}

function truncated(bytes: Uint8Array): never {
  modelFormatError(`The .npy file ends early (${bytes.length} bytes): it is truncated. Download it again.`, { bytes: bytes.length });
}
