import { modelFormatError } from '../../core/errors.js';
import { ChumpyArray, SparseMatrix } from './knownObjects.js';
import { latin1Encode } from './latin1.js';
import { NdArray, NumpyDType } from './NdArray.js';
import { describePyValue, PyGlobal, PyInstance, type PyValue } from './pyValues.js';

type Construct = (args: PyValue[]) => PyValue;

/** `numpy.core.multiarray._reconstruct(ndarray, shape, typecode)`: an empty array the next BUILD fills. */
const reconstructArray: Construct = () => new NdArray();

/** `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)`: protocol 5's form of an array. */
const arrayFromBuffer: Construct = ([buffer, dtype, shape, order]) => {
  if (!(buffer instanceof Uint8Array) || !(dtype instanceof NumpyDType) || !Array.isArray(shape)) {
    modelFormatError('The pickle holds a numpy array (protocol 5 form) with unreadable arguments.');
  }
  return NdArray.fromBytes(buffer, dtype, shape as number[], order === 'F');
};

/** `numpy.core.multiarray.scalar(dtype, bytes)`: a numpy scalar such as np.float64(2.5). */
const numpyScalar: Construct = ([dtype, raw]) => {
  const bytes = typeof raw === 'string' ? latin1Encode(raw) : raw;
  if (!(dtype instanceof NumpyDType) || !(bytes instanceof Uint8Array)) modelFormatError('The pickle holds an unreadable numpy scalar.');
  if (!dtype.name) return new PyInstance('numpy', 'scalar', [dtype, bytes]);
  const value = NdArray.fromBytes(bytes, dtype, [], false).data[0]!;
  if (dtype.name === 'bool') return value !== 0;
  return typeof value === 'bigint' && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
};

const numpyDType: Construct = ([descr]) => {
  if (typeof descr !== 'string') modelFormatError(`The pickle builds a numpy dtype from ${describePyValue(descr ?? null)}.`);
  return new NumpyDType(descr);
};

/** Python 3's protocol-2 form of bytes: `_codecs.encode(text, 'latin1')`. */
const codecsEncode: Construct = ([text, encoding]) => {
  if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
    modelFormatError(`The pickle encodes text with ${String(encoding)}; only latin1 is supported.`);
  }
  return latin1Encode(text);
};

const iterable = (value: PyValue | undefined): PyValue[] => (value === undefined ? [] : value instanceof Set ? [...value] : Array.isArray(value) ? value : []);

/** `copyreg._reconstructor(cls, base, state)`: protocol 0/1's way to make a plain instance of cls. */
const reconstructor: Construct = ([cls]) => {
  if (!(cls instanceof PyGlobal)) modelFormatError(`The pickle reconstructs an instance of ${describePyValue(cls ?? null)}.`);
  return cls.call([]);
};

const numpyModules = ['numpy.core', 'numpy._core'];
const sparseModules = ['scipy.sparse.csc', 'scipy.sparse._csc', 'scipy.sparse.csr', 'scipy.sparse._csr'];

const KNOWN = new Map<string, Construct>([
  ...numpyModules.flatMap((m): [string, Construct][] => [
    [`${m}.multiarray._reconstruct`, reconstructArray],
    [`${m}.multiarray.scalar`, numpyScalar],
    [`${m}.numeric._frombuffer`, arrayFromBuffer],
  ]),
  ['numpy.dtype', numpyDType],
  ...sparseModules.flatMap((m): [string, Construct][] => [
    [`${m}.csc_matrix`, () => new SparseMatrix('csc')],
    [`${m}.csc_array`, () => new SparseMatrix('csc')],
    [`${m}.csr_matrix`, () => new SparseMatrix('csr')],
    [`${m}.csr_array`, () => new SparseMatrix('csr')],
  ]),
  ['chumpy.ch.Ch', () => new ChumpyArray()],
  ['_codecs.encode', codecsEncode],
  ...['copy_reg', 'copyreg'].map((m): [string, Construct] => [`${m}._reconstructor`, reconstructor]),
  ...['__builtin__', 'builtins'].flatMap((m): [string, Construct][] => [
    [`${m}.set`, ([items]) => new Set(iterable(items))],
    [`${m}.frozenset`, ([items]) => new Set(iterable(items))],
    [`${m}.list`, ([items]) => [...iterable(items)]],
    [`${m}.tuple`, ([items]) => [...iterable(items)]],
    [`${m}.dict`, () => new Map()],
    [`${m}.bytearray`, ([data]) => (data instanceof Uint8Array ? data.slice() : typeof data === 'string' ? latin1Encode(data) : new Uint8Array(0))],
    [`${m}.bytes`, ([data]) => (data instanceof Uint8Array ? data.slice() : new Uint8Array(0))],
  ]),
  ['collections.OrderedDict', () => new Map()],
]);

/** The global a GLOBAL / STACK_GLOBAL opcode names; classes this reader does not know stay generic. */
export function resolveGlobal(module: string, name: string): PyGlobal {
  return new PyGlobal(module, name, KNOWN.get(`${module}.${name}`));
}
