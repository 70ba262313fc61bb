/**
 * Builds an ONNX model (opset 17, default domain) node by node and encodes it as `ModelProto`
 * bytes: the subset of ONNX the test networks use (float32/int64 initializers as raw data,
 * int/ints/float/string attributes, static or named dims, metadata_props).
 */
import { ProtoWriter } from '../../core/encoding/protobufWire.js';

/** ONNX TensorProto.DataType values used here. */
export const OnnxDataType = { float32: 1, int64: 7 } as const;
export type OnnxElementType = keyof typeof OnnxDataType;

/** A float attribute (plain numbers are ints). */
export class FloatAttr {
  constructor(readonly value: number) {}
}
export const float = (value: number) => new FloatAttr(value);
export type AttributeValue = number | number[] | FloatAttr | string;

/** A dimension: a size, or a name for a dynamic one. */
export type Dim = number | string;

interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes: Record<string, AttributeValue>;
}

interface TensorSpec {
  name: string;
  type: OnnxElementType;
  dims: number[];
  data: Uint8Array;
}

export interface OnnxModelOptions {
  producer: string;
  /** Custom metadata (`metadata_props`). */
  metadata?: Record<string, string>;
  docString?: string;
}

const OPSET = 17;
const IR_VERSION = 8;

export class OnnxGraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: TensorSpec[] = [];
  private readonly inputs: { name: string; type: OnnxElementType; dims: Dim[] }[] = [];
  private readonly outputs: { name: string; type: OnnxElementType; dims: Dim[] }[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, dims: Dim[], type: OnnxElementType = 'float32'): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Marks `value` as a graph output named `name` (adds an Identity when the names differ). */
  output(name: string, value: string, dims: Dim[], type: OnnxElementType = 'float32'): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `${name}_identity`, attributes: {} });
    this.outputs.push({ name, type, dims });
  }

  /** A float32 weight. */
  weight(prefix: string, dims: number[], data: Float32Array): string {
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${prefix}: ${data.length} values for dims ${dims}`);
    return this.tensor(prefix, 'float32', dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** An int64 constant (shapes, axes). */
  int64s(prefix: string, values: number[]): string {
    return this.tensor(prefix, 'int64', [values.length], new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
  }

  /** A float32 scalar constant. */
  scalar(prefix: string, value: number): string {
    return this.tensor(prefix, 'float32', [], new Uint8Array(Float32Array.of(value).buffer));
  }

  /** Adds a node with one output and returns that output's name. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, prefix = opType.toLowerCase()): string {
    const output = this.unique(prefix);
    this.nodes.push({ opType, inputs, outputs: [output], name: `${output}_node`, attributes });
    return output;
  }

  /** Encodes the model. */
  encode(options: OnnxModelOptions): Uint8Array {
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.message(1, encodeNode(n));
    graph.string(2, this.name);
    for (const t of this.initializers) graph.message(5, encodeTensor(t));
    for (const i of this.inputs) graph.message(11, encodeValueInfo(i.name, i.type, i.dims));
    for (const o of this.outputs) graph.message(12, encodeValueInfo(o.name, o.type, o.dims));
    const model = new ProtoWriter().varint(1, IR_VERSION).string(2, options.producer).string(3, '1');
    if (options.docString) model.string(6, options.docString);
    model.message(7, graph).message(8, new ProtoWriter().string(1, '').varint(2, OPSET));
    for (const [key, value] of Object.entries(options.metadata ?? {})) model.message(14, new ProtoWriter().string(1, key).string(2, value));
    return model.finish();
  }

  /** Total number of weight values (parameters). */
  get parameterCount(): number {
    return this.initializers.filter((t) => t.type === 'float32').reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  }

  private tensor(prefix: string, type: OnnxElementType, dims: number[], data: Uint8Array): string {
    const name = this.unique(prefix);
    this.initializers.push({ name, type, dims, data });
    return name;
  }

  private unique(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }
}

function encodeNode(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [name, value] of Object.entries(n.attributes)) w.message(5, encodeAttribute(name, value));
  return w;
}

/** AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7). */
function encodeAttribute(name: string, value: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (value instanceof FloatAttr) return w.float(2, value.value).varint(20, 1);
  if (typeof value === 'number') return w.varint(3, value).varint(20, 2);
  if (typeof value === 'string') return w.string(4, value).varint(20, 3);
  return w.packedVarints(8, value).varint(20, 7);
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. */
function encodeTensor(t: TensorSpec): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length) w.packedVarints(1, t.dims);
  return w.varint(2, OnnxDataType[t.type]).string(8, t.name).bytes(9, t.data);
}

/** ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 | dim_param 2 } } } } }. */
function encodeValueInfo(name: string, type: OnnxElementType, dims: Dim[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().varint(1, OnnxDataType[type]).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}
