import { modelFormatError } from '../../core/errors.js';
import { resolveGlobal } from './knownGlobals.js';
import { latin1Decode } from './latin1.js';
import { describePyValue, PyGlobal, PyInstance, type PyValue } from './pyValues.js';

export interface ReadPickleOptions {
  /**
   * Resolves a persistent ID (PERSID/BINPERSID: an object kept outside the pickle, as PyTorch
   * keeps tensor storages); without it such pickles are refused.
   */
  persistentLoad?: (id: PyValue) => PyValue;
  /** Globals beyond the built-in table (`knownGlobals.ts`), by 'module.name'. */
  globals?: ReadonlyMap<string, (args: PyValue[]) => PyValue>;
}

/**
 * Loads a Python pickle (protocols 0–5) into a plain JS object graph (see `pyValues.ts`),
 * without running any code: classes are looked up in a fixed table (numpy arrays, scipy
 * sparse matrices, chumpy arrays, a few builtins) and everything else becomes a `PyInstance`.
 * Python 2 `str` loads as a latin-1 string, as Python 3 does with `encoding='latin1'`.
 * Throws a `TrackerError` with code `model-format` on anything that is not a readable pickle.
 */
export function readPickle(bytes: Uint8Array, options: ReadPickleOptions = {}): PyValue {
  return new PickleMachine(bytes, options).run();
}

const utf8 = new TextDecoder('utf-8');

/** The pickle virtual machine: a stack, a mark stack and a memo, driven by one opcode per byte. */
class PickleMachine {
  private pos = 0;
  private readonly stack: PyValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: ReadPickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): PyValue {
    // Protocol 2+ starts with PROTO; protocols 0 and 1 (Python 2's text pickles) with a value or a MARK.
    const first = this.bytes[0];
    if (first !== 0x80 && !(first !== undefined && PROTOCOL_0_FIRST_OPCODES.includes(String.fromCharCode(first)))) {
      modelFormatError(`Not a Python pickle (it starts with ${hex(first)}, which no pickle does). Pass the .pkl file exactly as downloaded.`);
    }
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      if (op === 0x2e /* STOP */) return this.pop();
      if (!this.step(op)) modelFormatError(`Unreadable pickle: unknown opcode ${hex(op)} at byte ${at}. The file is corrupt or not a Python pickle.`);
    }
  }

  /** Executes one opcode; false when the opcode is unknown. */
  private step(op: number): boolean {
    const s = this.stack;
    switch (op) {
      case 0x80: { // PROTO
        const protocol = this.u8();
        if (protocol > 5) modelFormatError(`This pickle uses protocol ${protocol}; the reader knows protocols 2–5.`);
        break;
      }
      case 0x95: this.take(8); break; // FRAME: a length hint only
      case 0x28: this.marks.push(s.length); break; // MARK
      case 0x30: this.pop(); break; // POP
      case 0x31: this.popMark(); break; // POP_MARK
      case 0x32: s.push(this.top()); break; // DUP
      case 0x4e: s.push(null); break; // NONE
      case 0x88: s.push(true); break; // NEWTRUE
      case 0x89: s.push(false); break; // NEWFALSE
      case 0x4a: s.push(this.view.getInt32(this.advance(4), true)); break; // BININT
      case 0x4b: s.push(this.u8()); break; // BININT1
      case 0x4d: s.push(this.view.getUint16(this.advance(2), true)); break; // BININT2
      case 0x8a: s.push(signedLittleEndian(this.take(this.u8()))); break; // LONG1
      case 0x8b: s.push(signedLittleEndian(this.take(this.length(4)))); break; // LONG4
      case 0x47: s.push(this.view.getFloat64(this.advance(8), false)); break; // BINFLOAT (big-endian)
      // Protocol 0's text forms (Python 2's pickle.dump default): one value per line.
      case 0x49: s.push(this.textInt(this.line())); break; // INT (also I00 / I01: False / True)
      case 0x4c: s.push(this.textInt(this.line().replace(/L$/, ''))); break; // LONG
      case 0x46: s.push(this.textFloat(this.line())); break; // FLOAT
      case 0x53: s.push(latin1Decode(this.quotedString(this.line()))); break; // STRING: a Python 2 str's repr
      case 0x56: s.push(rawUnicodeEscapeDecode(this.line())); break; // UNICODE
      case 0x70: this.memo.set(this.textIndex(this.line()), this.top()); break; // PUT
      case 0x67: s.push(this.recall(this.textIndex(this.line()))); break; // GET
      case 0x69: { // INST: "module\nname\n", the arguments since the MARK
        const module = this.line();
        const cls = this.global(module, this.line());
        s.push(cls.call(this.popMark()));
        break;
      }
      case 0x6f: { // OBJ: MARK class args…
        const [cls, ...args] = this.popMark();
        s.push(this.call(cls ?? null, args));
        break;
      }
      // Python 2 str: latin-1, as encoding='latin1' loads it.
      case 0x55: s.push(latin1Decode(this.take(this.u8()))); break; // SHORT_BINSTRING
      case 0x54: s.push(latin1Decode(this.take(this.length(4)))); break; // BINSTRING
      case 0x8c: s.push(utf8.decode(this.take(this.u8()))); break; // SHORT_BINUNICODE
      case 0x58: s.push(utf8.decode(this.take(this.length(4)))); break; // BINUNICODE
      case 0x8d: s.push(utf8.decode(this.take(this.length(8)))); break; // BINUNICODE8
      case 0x43: s.push(this.take(this.u8())); break; // SHORT_BINBYTES
      case 0x42: s.push(this.take(this.length(4))); break; // BINBYTES
      case 0x8e: s.push(this.take(this.length(8))); break; // BINBYTES8
      case 0x96: s.push(this.take(this.length(8)).slice()); break; // BYTEARRAY8
      case 0x97: // NEXT_BUFFER
        modelFormatError('This pickle keeps its arrays in out-of-band buffers (protocol 5 buffer_callback), which a file does not carry. Re-save it with plain pickle.dump.');
        break;
      case 0x98: break; // READONLY_BUFFER: read-only-ness does not matter here
      case 0x5d: s.push([]); break; // EMPTY_LIST
      case 0x29: s.push([]); break; // EMPTY_TUPLE
      case 0x7d: s.push(new Map()); break; // EMPTY_DICT
      case 0x8f: s.push(new Set()); break; // EMPTY_SET
      case 0x6c: case 0x74: s.push(this.popMark()); break; // LIST, TUPLE
      case 0x85: s.push([this.pop()]); break; // TUPLE1
      case 0x86: { const b = this.pop(); s.push([this.pop(), b]); break; } // TUPLE2
      case 0x87: { const c = this.pop(), b = this.pop(); s.push([this.pop(), b, c]); break; } // TUPLE3
      case 0x91: s.push(new Set(this.popMark())); break; // FROZENSET
      case 0x61: { const item = this.pop(); this.list(this.top()).push(item); break; } // APPEND
      case 0x65: { const items = this.popMark(); this.list(this.top()).push(...items); break; } // APPENDS
      case 0x64: s.push(this.setItems(new Map(), this.popMark())); break; // DICT
      case 0x73: { const v = this.pop(), k = this.pop(); this.setItems(this.top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = this.popMark(); this.setItems(this.top(), items); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = this.popMark();
        const set = this.top();
        if (!(set instanceof Set)) this.corrupt('ADDITEMS on something that is not a set');
        items.forEach((item) => set.add(item));
        break;
      }
      case 0x63: { // GLOBAL: "module\nname\n"
        const module = this.line();
        s.push(this.global(module, this.line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = this.pop(), module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') this.corrupt('STACK_GLOBAL without module and name strings');
        s.push(this.global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = this.pop();
        s.push(this.call(this.pop(), args));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = this.pop();
        s.push(this.call(this.pop(), args));
        break;
      }
      case 0x92: { // NEWOBJ_EX (keyword arguments are not needed by any class we know)
        this.pop();
        const args = this.pop();
        s.push(this.call(this.pop(), args));
        break;
      }
      case 0x62: { // BUILD
        const state = this.pop();
        const target = this.top();
        // A dict subclass's attributes (OrderedDict._metadata in PyTorch state dicts): not items, not needed.
        if (target instanceof Map) break;
        if (target === null || typeof target !== 'object' || !('setState' in target)) this.corrupt(`BUILD on ${describePyValue(target)}`);
        target.setState(state);
        break;
      }
      case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
      case 0x72: this.memo.set(this.length(4), this.top()); break; // LONG_BINPUT
      case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
      case 0x68: s.push(this.recall(this.u8())); break; // BINGET
      case 0x6a: s.push(this.recall(this.length(4))); break; // LONG_BINGET
      case 0x51: { // BINPERSID
        const id = this.pop();
        if (!this.options.persistentLoad) modelFormatError('This pickle refers to external objects (persistent IDs, e.g. a PyTorch checkpoint); only self-contained pickles can be read.');
        s.push(this.options.persistentLoad(id));
        break;
      }
      case 0x50: // PERSID (protocol 0's text form)
        modelFormatError('This pickle refers to external objects by text persistent IDs (protocol 0), which this reader does not read.');
        break;
      default:
        return false;
    }
    return true;
  }

  private call(callable: PyValue, args: PyValue): PyValue {
    if (!(callable instanceof PyGlobal)) this.corrupt(`a call of ${describePyValue(callable)}`);
    if (!Array.isArray(args)) this.corrupt(`a call of ${callable.qualifiedName} without an argument tuple`);
    return callable.call(args);
  }

  private global(module: string, name: string): PyGlobal {
    const extra = this.options.globals?.get(`${module}.${name}`);
    return extra ? new PyGlobal(module, name, extra) : resolveGlobal(module, name);
  }

  private setItems(target: PyValue, items: PyValue[]): PyValue {
    // A dict subclass this reader does not know (e.g. an AttributeDict) keeps its items beside its state.
    const map = target instanceof PyInstance ? target.items : target;
    if (!(map instanceof Map) || items.length % 2 !== 0) this.corrupt('dict items on something that is not a dict');
    for (let i = 0; i < items.length; i += 2) map.set(items[i]!, items[i + 1]!);
    return target;
  }

  private list(target: PyValue): PyValue[] {
    if (!Array.isArray(target)) this.corrupt('APPEND on something that is not a list');
    return target;
  }

  private recall(key: number): PyValue {
    if (!this.memo.has(key)) this.corrupt(`a reference to memo entry ${key}, which was never stored`);
    return this.memo.get(key)!;
  }

  private pop(): PyValue {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) this.corrupt('an opcode with too few values on the stack');
    return this.stack.pop()!;
  }

  private top(): PyValue {
    if (this.stack.length === 0) this.corrupt('an opcode with an empty stack');
    return this.stack[this.stack.length - 1]!;
  }

  private popMark(): PyValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.corrupt('a MARK-terminated opcode without a MARK');
    return this.stack.splice(mark);
  }

  /** Moves past n bytes and returns where they start. */
  private advance(n: number): number {
    const at = this.pos;
    if (n > this.bytes.length - at) {
      modelFormatError(`The pickle ends early (needs byte ${at + n}, the file has ${this.bytes.length}): it is truncated. Download it again.`, {
        bytes: this.bytes.length,
      });
    }
    this.pos = at + n;
    return at;
  }

  private take(n: number): Uint8Array {
    const at = this.advance(n);
    return this.bytes.subarray(at, at + n);
  }

  private u8(): number {
    return this.bytes[this.advance(1)]!;
  }

  /** An unsigned little-endian length of 4 or 8 bytes. */
  private length(size: 4 | 8): number {
    const at = this.advance(size);
    const low = this.view.getUint32(at, true);
    const high = size === 8 ? this.view.getUint32(at + 4, true) : 0;
    return high * 2 ** 32 + low;
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.advance(this.bytes.length - this.pos + 1);
    const text = latin1Decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  /** Protocol 0's decimal integers: "I42", "L42L", and "I00" / "I01" for False / True. */
  private textInt(text: string): number | bigint | boolean {
    if (text === '00') return false;
    if (text === '01') return true;
    if (!/^[+-]?\d+$/.test(text)) this.corrupt(`an integer written as '${text}'`);
    const value = BigInt(text);
    return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
  }

  private textFloat(text: string): number {
    const special: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity };
    const value = special[text.toLowerCase()] ?? Number(text);
    if (Number.isNaN(value) && text.toLowerCase() !== 'nan') this.corrupt(`a float written as '${text}'`);
    return value;
  }

  private textIndex(text: string): number {
    if (!/^\d+$/.test(text)) this.corrupt(`a memo index written as '${text}'`);
    return Number(text);
  }

  /** A Python 2 str as repr wrote it ('…' or "…", backslash escapes) → its bytes. */
  private quotedString(text: string): Uint8Array {
    const quote = text[0];
    if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) this.corrupt('a STRING that is not quoted');
    const out: number[] = [];
    const body = text.slice(1, -1);
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '\\') {
        out.push(c.charCodeAt(0));
        continue;
      }
      const e = body[++i];
      if (e === 'x') {
        const byte = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(byte)) this.corrupt(`a STRING with the escape \\x${byte}`);
        out.push(parseInt(byte, 16));
        i += 2;
      } else if (e !== undefined && e >= '0' && e <= '7') {
        const octal = /^[0-7]{1,3}/.exec(body.slice(i))![0];
        out.push(parseInt(octal, 8) & 0xff);
        i += octal.length - 1;
      } else if (e !== undefined && e in SIMPLE_ESCAPES) {
        out.push(SIMPLE_ESCAPES[e]!);
      } else {
        // Python keeps an unknown escape as it is.
        out.push(0x5c);
        if (e !== undefined) out.push(e.charCodeAt(0));
      }
    }
    return Uint8Array.from(out);
  }

  private corrupt(what: string): never {
    modelFormatError(`Unreadable pickle: ${what} (before byte ${this.pos}). The file is corrupt or not a Python pickle.`);
  }
}

/** Python's LONG1/LONG4 payload: two's-complement little-endian; a bigint only beyond ±2^53. */
function signedLittleEndian(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
}

/** The opcodes a protocol 0 or 1 pickle can start with (a value, a MARK, an empty container, a global). */
const PROTOCOL_0_FIRST_OPCODES = '(}])cdlNSVILFKJMUTXGi';

const SIMPLE_ESCAPES: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, n: 0x0a, r: 0x0d, t: 0x09, a: 0x07, b: 0x08, f: 0x0c, v: 0x0b };

/** Protocol 0's UNICODE line: raw-unicode-escape (bytes as code points, \uXXXX and \UXXXXXXXX escapes). */
function rawUnicodeEscapeDecode(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u: string | undefined, U: string | undefined) => String.fromCodePoint(parseInt((u ?? U)!, 16)));
}

function hex(byte: number | undefined): string {
  return byte === undefined ? 'nothing' : `0x${byte.toString(16).padStart(2, '0')}`;
}
