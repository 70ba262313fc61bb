/**
 * The protobuf wire format, just enough for ONNX files: a writer that builds messages field by
 * field and a reader that walks a message's fields without a schema. ONNX models are protobuf
 * `ModelProto`s; this avoids a protobuf library for the handful of fields the SDK touches.
 */

/** Wire types: 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit. */
export type WireType = 0 | 1 | 2 | 5;

export interface ProtoField {
  field: number;
  wireType: WireType;
  /** A varint field's value (wire type 0), as read: unsigned 64-bit. */
  varint?: bigint;
  /** Length-delimited payload or fixed-width bytes: a view into the source buffer. */
  bytes?: Uint8Array;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** Iterates the fields of one message, in file order. */
export function* readFields(message: Uint8Array): Generator<ProtoField> {
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n, shift = 0n;
    for (;;) {
      if (pos >= message.length) throw new Error('Truncated protobuf varint');
      const byte = message[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < message.length) {
    const key = Number(readVarint());
    const field = key >>> 3, wireType = (key & 7) as WireType;
    if (wireType === 0) {
      yield { field, wireType, varint: readVarint() };
      continue;
    }
    const length = wireType === 2 ? Number(readVarint()) : wireType === 1 ? 8 : wireType === 5 ? 4 : -1;
    if (length < 0) throw new Error(`Unsupported protobuf wire type ${wireType}`);
    if (pos + length > message.length) throw new Error('Truncated protobuf field');
    yield { field, wireType, bytes: message.subarray(pos, pos + length) };
    pos += length;
  }
}

export const fieldString = (f: ProtoField): string => textDecoder.decode(f.bytes);

/** Builds one message; nested messages are written by a nested writer and added as bytes. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  /** A varint field (int32/int64/uint64/enum/bool). Negative values take ten bytes, as protobuf specifies. */
  varint(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.pushVarint(BigInt.asUintN(64, BigInt(value)));
    return this.flushScratch();
  }

  /** A 32-bit float field. */
  float(field: number, value: number): this {
    this.key(field, 5);
    this.flushScratch();
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.push(bytes);
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.pushVarint(BigInt(value.length));
    this.flushScratch();
    return this.push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, writer: ProtoWriter): this {
    return this.bytes(field, writer.finish());
  }

  /** A packed repeated varint field. */
  packedVarints(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.pushVarint(BigInt.asUintN(64, BigInt(values[i]!)));
    inner.flushScratch();
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    return this.bytes(field, new Uint8Array(Float32Array.from(values).buffer));
  }

  /** The field copied as read (for rewriting a message while keeping the fields it does not touch). */
  raw(f: ProtoField): this {
    this.key(f.field, f.wireType);
    if (f.wireType === 0) {
      this.pushVarint(f.varint!);
      return this.flushScratch();
    }
    if (f.wireType === 2) this.pushVarint(BigInt(f.bytes!.length));
    this.flushScratch();
    return this.push(f.bytes!);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    this.chunks = [out];
    return out;
  }

  private key(field: number, wireType: WireType): void {
    this.pushVarint(BigInt((field << 3) | wireType));
  }

  private pushVarint(value: bigint): void {
    while (value >= 0x80n) {
      this.scratch.push(Number(value & 0x7fn) | 0x80);
      value >>= 7n;
    }
    this.scratch.push(Number(value));
  }

  private flushScratch(): this {
    if (this.scratch.length) {
      this.push(Uint8Array.from(this.scratch));
      this.scratch = [];
    }
    return this;
  }

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }
}
