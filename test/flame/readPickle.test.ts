import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackerError } from '../../src/core/errors.js';
import { ChumpyArray, SparseMatrix } from '../../src/authoring/pickle/knownObjects.js';
import { NdArray } from '../../src/authoring/pickle/NdArray.js';
import { PyInstance, type PyValue } from '../../src/authoring/pickle/pyValues.js';
import { readPickle } from '../../src/authoring/pickle/readPickle.js';
import { runPython, tempDir } from './pythonFixtures.js';

/** The JSON form make_pickle_samples.py writes for what each pickle holds (its `plain`). */
function plain(value: PyValue): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return { int: value.toString() };
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return { dict: [...value].map(([k, v]) => [plain(k), plain(v)]) };
  if (value instanceof Set) return { set: [...value].map(plain).sort() };
  if (value instanceof NdArray) {
    if (value.unreadable) return { unreadable_array: value.shape };
    const values = value.dtype.startsWith('float') ? Array.from(value.data as Float64Array) : Array.from(value.data as ArrayLike<number | bigint>, String);
    return { ndarray: value.dtype, shape: value.shape, values };
  }
  if (value instanceof ChumpyArray) return { ch: plain(value.value) };
  if (value instanceof SparseMatrix) {
    const dense = new Array<number>(value.shape[0] * value.shape[1]).fill(0);
    const { row, col, value: v } = value.entries();
    v.forEach((x, i) => (dense[row[i]! * value.shape[1] + col[i]!] += x));
    return { sparse: value.format, shape: value.shape, dense };
  }
  if (value instanceof PyInstance) return { object: `${value.module}.${value.name}`, state: plain(value.state) };
  throw new Error(`unexpected value ${String(value)}`);
}

describe('readPickle', () => {
  let fixtures: { dir: string; remove: () => void };
  let manifest: Record<string, unknown>;
  const load = (name: string) => readPickle(new Uint8Array(readFileSync(join(fixtures.dir, name))));

  beforeAll(() => {
    fixtures = tempDir('pickle-samples-');
    runPython('make_pickle_samples.py', [fixtures.dir]);
    manifest = JSON.parse(readFileSync(join(fixtures.dir, 'manifest.json'), 'utf8'));
  });
  afterAll(() => fixtures.remove());

  it.each(['py2_protocol2', 'py2_protocol0', 'protocol0', 'protocol4', 'protocol5'])('reads %s exactly as Python loads it', (name) => {
    expect(plain(load(`${name}.pkl`))).toEqual(manifest[name]);
  });

  it('turns numpy arrays into C-order typed arrays in host byte order', () => {
    const root = load('protocol5.pkl') as Map<string, PyValue>;
    const fortran = root.get('fortran_float32') as NdArray;
    expect(fortran.data).toBeInstanceOf(Float32Array);
    expect(fortran.shape).toEqual([2, 3, 4]);
    const bigEndian = root.get('big_endian_int32') as NdArray;
    expect(Array.from(bigEndian.data as Int32Array)).toEqual([-3, -2, -1, 0, 1, 2]);
    expect((root.get('int64_fortran') as NdArray).data).toBeInstanceOf(BigInt64Array);
    expect((root.get('scalar_array') as NdArray).shape).toEqual([]);
  });

  it('keeps a Python 2 str as latin-1 text and the root parent of a kintree as 2^32 − 1', () => {
    const root = load('py2_protocol2.pkl') as Map<string, PyValue>;
    expect(root.get('text')).toBe('caf\u00e9');
    expect((root.get('uint32_root_parent') as NdArray).toNumbers()[0]).toBe(4294967295);
  });

  it('returns one object for a value the pickle references twice', () => {
    const root = load('shared.pkl') as Map<string, PyValue>;
    expect(root.get('a')).toBe(root.get('b'));
  });

  it.each([
    ['random bytes', Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff), /Not a Python pickle/],
    ['a text file', new TextEncoder().encode('v 0 0 0\n'), /Not a Python pickle/],
    ['an empty file', new Uint8Array(0), /Not a Python pickle/],
    ['a protocol-2 header and garbage', Uint8Array.from([0x80, 0x02, 0xff, 0x00]), /unknown opcode 0xff/],
  ])('rejects %s with a model-format error', (_, bytes, message) => {
    expect(() => readPickle(bytes)).toThrow(TrackerError);
    expect(() => readPickle(bytes)).toThrow(message);
  });

  it('reports a truncated pickle as truncated', () => {
    const bytes = new Uint8Array(readFileSync(join(fixtures.dir, 'protocol4.pkl')));
    for (const length of [3, 100, bytes.length - 1]) {
      let error: unknown;
      try {
        readPickle(bytes.subarray(0, length));
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'model-format', message: expect.stringMatching(/truncated/) });
    }
  });
});
