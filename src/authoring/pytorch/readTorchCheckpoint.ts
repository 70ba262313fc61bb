/**
 * Reads a PyTorch checkpoint (`torch.save`'s zip format, as PyTorch Lightning writes them) without
 * Python: the archive's `data.pkl` is unpickled with tensors left as `TorchTensor` references, and
 * a tensor's values are read from its storage file in the archive only when asked for, so that a
 * caller that needs the weights never reads the optimizer's state.
 */
import { unzipSync } from 'fflate';
import { TrackerError } from '../../core/errors.js';
import { readPickle } from '../pickle/readPickle.js';
import { describePyValue, PyGlobal, type PyObject, type PyValue } from '../pickle/pyValues.js';

/** Element types of PyTorch storages this reader converts to float32. */
export type TorchDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

const STORAGE_DTYPES: Record<string, TorchDType> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ByteStorage: 'uint8',
  CharStorage: 'int8',
  BoolStorage: 'bool',
};

const BYTES_PER_ELEMENT: Record<TorchDType, number> = { float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, uint8: 1, int8: 1, bool: 1 };

/** One storage of the archive (`data/<key>`), as the pickle refers to it. */
export class TorchStorage implements PyObject {
  constructor(
    readonly key: string,
    readonly dtype: TorchDType,
    /** Elements. */
    readonly length: number,
  ) {}

  setState(): void {
    formatError('The checkpoint sets state on a tensor storage: it is not a torch.save archive this importer knows.');
  }

  describe(): string {
    return `a ${this.dtype} storage of ${this.length} elements`;
  }
}

/** A tensor of the checkpoint: a strided view of a storage, values not yet read. */
export class TorchTensor implements PyObject {
  constructor(
    readonly storage: TorchStorage,
    /** Elements into the storage. */
    readonly offset: number,
    readonly shape: readonly number[],
    /** Elements per step along each dimension. */
    readonly stride: readonly number[],
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  setState(): void {
    // Tensors are rebuilt whole by _rebuild_tensor_v2; a BUILD after it carries Python attributes only.
  }

  describe(): string {
    return `a ${this.storage.dtype} tensor of shape [${this.shape.join(', ')}]`;
  }
}

export interface TorchCheckpoint {
  /** The unpickled object (for Lightning: a dict with state_dict, hyper_parameters, …). */
  readonly root: PyValue;
  /** A tensor's values, contiguous in row-major order, as float32. */
  read(tensor: TorchTensor): Float32Array;
}

const formatError = (message: string, details: Record<string, unknown> = {}): never => {
  throw new TrackerError('prior-format', message, details);
};

/** Opens a checkpoint; `label` names the file in errors. */
export function readTorchCheckpoint(bytes: Uint8Array, label: string): TorchCheckpoint {
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    const legacy = bytes[0] === 0x80 ? ' It looks like a checkpoint in PyTorch\'s legacy format (before 1.6): load and re-save it with torch.save in a recent PyTorch.' : '';
    formatError(`${label} is not a PyTorch checkpoint (a torch.save zip archive).${legacy}`);
  }
  const pickleName = archiveEntries(bytes, label, (name) => name.endsWith('/data.pkl'));
  const [pickleEntry] = Object.keys(pickleName);
  if (!pickleEntry) formatError(`${label} is a zip archive without a data.pkl: not a PyTorch checkpoint.`);
  const prefix = pickleEntry!.slice(0, -'data.pkl'.length);
  const byteOrder = archiveEntries(bytes, label, (name) => name === `${prefix}byteorder`)[`${prefix}byteorder`];
  if (byteOrder && new TextDecoder().decode(byteOrder).trim() === 'big') formatError(`${label} was saved on a big-endian machine; re-save it on a little-endian one.`);

  const storages = new Map<string, TorchStorage>();
  let root: PyValue;
  try {
    root = readPickle(pickleName[pickleEntry!]!, {
      persistentLoad: (id) => {
        const storage = storageOf(id, label);
        const known = storages.get(storage.key);
        if (known) return known;
        storages.set(storage.key, storage);
        return storage;
      },
      globals: TORCH_GLOBALS,
    });
  } catch (error) {
    if (error instanceof TrackerError && error.code === 'model-format') formatError(`${label}: ${error.message}`);
    throw error;
  }

  const cache = new Map<string, Uint8Array>();
  const storageBytes = (storage: TorchStorage): Uint8Array => {
    const name = `${prefix}data/${storage.key}`;
    let data = cache.get(name);
    if (!data) {
      data = archiveEntries(bytes, label, (entry) => entry === name)[name];
      if (!data) formatError(`${label} lacks the storage ${name} a tensor refers to: the file is truncated or corrupt.`);
      if (data!.length < storage.length * BYTES_PER_ELEMENT[storage.dtype]) formatError(`${label}: the storage ${name} is shorter than its tensors say.`);
      cache.set(name, data!);
    }
    return data!;
  };
  return { root, read: (tensor) => tensorValues(tensor, storageBytes(tensor.storage)) };
}

/** The archive's entries whose names pass `wanted`, decompressed. */
function archiveEntries(bytes: Uint8Array, label: string, wanted: (name: string) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter: (file) => wanted(file.name) });
  } catch (error) {
    return formatError(`${label} is not a readable zip archive (${(error as Error).message}): the download may be cut off.`);
  }
}

/** `('storage', storage_type, key, location, numel)`: how torch.save names a storage. */
function storageOf(id: PyValue, label: string): TorchStorage {
  if (!Array.isArray(id) || id[0] !== 'storage' || id.length < 5) formatError(`${label} refers to ${describePyValue(id)} outside its pickle, which is not a tensor storage.`);
  const [, type, key, , numel] = id as PyValue[];
  const typeName = type instanceof PyGlobal ? type.name : '';
  const dtype = STORAGE_DTYPES[typeName];
  if (!dtype) formatError(`${label} has tensors of type ${typeName || describePyValue(type ?? null)}, which this importer does not read (it reads float, half, bfloat16 and integer tensors).`);
  if (typeof key !== 'string' || typeof numel !== 'number') formatError(`${label} names a storage without a key and length.`);
  return new TorchStorage(key as string, dtype!, numel as number);
}

const numbers = (value: PyValue | undefined): number[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'number') ? (value as number[]) : undefined;

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`. */
function rebuildTensor([storage, offset, shape, stride]: PyValue[]): PyValue {
  const dims = numbers(shape), steps = numbers(stride);
  if (!(storage instanceof TorchStorage) || typeof offset !== 'number' || !dims || !steps || dims.length !== steps.length) {
    formatError('A tensor in the checkpoint cannot be rebuilt (unexpected arguments to _rebuild_tensor_v2).');
  }
  return new TorchTensor(storage as TorchStorage, offset as number, dims!, steps!);
}

const TORCH_GLOBALS = new Map<string, (args: PyValue[]) => PyValue>([
  ['torch._utils._rebuild_tensor_v2', rebuildTensor],
  // nn.Parameter: its data tensor is what matters.
  ['torch._utils._rebuild_parameter', ([data]) => data ?? null],
  ['torch._utils._rebuild_parameter_with_state', ([data]) => data ?? null],
]);

/** The tensor's elements in row-major order, converted to float32. */
function tensorValues(tensor: TorchTensor, bytes: Uint8Array): Float32Array {
  const { dtype, length } = tensor.storage;
  const size = tensor.size;
  // The furthest element the view reaches must lie inside the storage.
  const last = tensor.offset + tensor.shape.reduce((s, n, d) => s + (n - 1) * tensor.stride[d]!, 0);
  if (size > 0 && (tensor.offset < 0 || last >= length)) formatError(`A tensor of shape [${tensor.shape.join(', ')}] reaches past its storage: the checkpoint is corrupt.`);
  const element = elementReader(dtype, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const out = new Float32Array(size);
  const rank = tensor.shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = tensor.offset;
  for (let i = 0; i < size; i++) {
    out[i] = element(at);
    // Advance the multi-index, last dimension fastest.
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < tensor.shape[d]!) {
        at += tensor.stride[d]!;
        break;
      }
      at -= (tensor.shape[d]! - 1) * tensor.stride[d]!;
      index[d] = 0;
    }
  }
  return out;
}

function elementReader(dtype: TorchDType, view: DataView): (i: number) => number {
  switch (dtype) {
    case 'float32': return (i) => view.getFloat32(4 * i, true);
    case 'float64': return (i) => view.getFloat64(8 * i, true);
    case 'float16': return (i) => halfToFloat(view.getUint16(2 * i, true));
    case 'bfloat16': {
      const word = new DataView(new ArrayBuffer(4));
      return (i) => (word.setUint32(0, view.getUint16(2 * i, true) << 16), word.getFloat32(0));
    }
    case 'int64': return (i) => Number(view.getBigInt64(8 * i, true));
    case 'int32': return (i) => view.getInt32(4 * i, true);
    case 'uint8': case 'bool': return (i) => view.getUint8(i);
    case 'int8': return (i) => view.getInt8(i);
  }
}

/** IEEE 754 half → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
