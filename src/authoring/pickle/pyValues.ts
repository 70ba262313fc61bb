/**
 * The JS object graph a pickle loads into. Python values map to plain JS where one fits:
 * None → null, bool → boolean, int → number (bigint beyond ±2^53), float → number,
 * str → string, bytes/bytearray → Uint8Array, list/tuple → array, dict → Map, set → Set.
 * Objects come out as the classes below, numpy/scipy/chumpy objects this reader recognises as
 * `PyObject`s with typed data (`NdArray`, `NumpyDType`, `SparseMatrix`, `ChumpyArray`), anything
 * else as a generic `PyInstance` naming its class.
 */

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | Map<PyValue, PyValue> | Set<PyValue> | PyGlobal | PyInstance | PyObject;

/** An object whose state a pickle's BUILD opcode sets after construction. */
export interface PyBuildable {
  setState(state: PyValue): void;
}

/** A Python object this reader turns into typed data (see `NdArray.ts`, `knownObjects.ts`); narrow it with `instanceof`. */
export interface PyObject extends PyBuildable {
  /** Its Python type and shape, for error messages. */
  describe(): string;
}

/**
 * A module-level name a pickle refers to (a class or function). Calling it (REDUCE, NEWOBJ)
 * runs `construct` for the globals this reader knows, and otherwise records the call as a
 * `PyInstance`.
 */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    private readonly construct?: (args: PyValue[]) => PyValue,
  ) {}

  call(args: PyValue[]): PyValue {
    return this.construct ? this.construct(args) : new PyInstance(this.module, this.name, args);
  }

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of a class this reader does not know: its class, constructor args and state. */
export class PyInstance implements PyBuildable {
  state: PyValue = null;
  /** Items set on it as on a dict (instances of dict subclasses). */
  readonly items = new Map<PyValue, PyValue>();

  constructor(
    readonly module: string,
    readonly name: string,
    readonly args: PyValue[],
  ) {}

  setState(state: PyValue): void {
    this.state = state;
  }
}

/** A short description of a value's Python type, for error messages. */
export function describePyValue(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'a bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'string') return 'a str';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Map) return 'a dict';
  if (value instanceof Set) return 'a set';
  if (value instanceof PyGlobal) return `the global ${value.qualifiedName}`;
  if (value instanceof PyInstance) return `a ${value.module}.${value.name} object`;
  return value.describe();
}
