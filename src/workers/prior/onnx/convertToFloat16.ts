/**
 * Rewrites an fp32 ONNX model to run in half precision with fp32 inputs and outputs: float32
 * weights (initializers and Constant/ConstantOfShape tensors) become float16, casts to float32
 * become casts to float16, a Cast at each float input and output keeps the model's interface
 * (so callers feed and read the same float32 tensors), and the inputs that ONNX requires in
 * float32 whatever the data type (Resize's roi and scales) are cast back. This is what makes a
 * prior run on WebGPU's `shader-f16`: ONNX Runtime Web does not convert models itself.
 *
 * Only the main graph is rewritten: a model with control flow (If/Loop/Scan subgraphs) or
 * external weights is refused with an `Float16ConversionError`, and the caller keeps fp32.
 */
import { fieldString, ProtoWriter, readFields, type ProtoField } from '../../../core/encoding/protobufWire.js';

/** TensorProto.DataType. */
const FLOAT = 1;
const FLOAT16 = 10;

/** ModelProto.graph; GraphProto fields; NodeProto fields; AttributeProto fields; TensorProto fields. */
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { name: 1, i: 3, t: 5, g: 6, graphs: 11 } as const;
const TENSOR = { dataType: 2, floatData: 4, rawData: 9, dataLocation: 14 } as const;

/** Inputs that ONNX types as float32 regardless of the data: op → input positions. */
const FLOAT32_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2], Upsample: [1] };

export class Float16ConversionError extends Error {
  override readonly name = 'Float16ConversionError';
}

export interface Float16Model {
  bytes: Uint8Array;
  /** Float32 weights rewritten as float16. */
  convertedWeights: number;
}

interface ParsedNode {
  inputs: string[];
  outputs: string[];
  opType: string;
  /** The node's fields other than inputs and outputs, already rewritten. */
  rest: ProtoWriter;
}

/** Converts `model` (ModelProto bytes). Throws `Float16ConversionError` for what it cannot convert. */
export function convertToFloat16(model: Uint8Array): Float16Model {
  const out = new ProtoWriter();
  let convertedWeights = 0, graphs = 0;
  for (const f of readFields(model)) {
    if (f.field !== MODEL_GRAPH) {
      out.raw(f);
      continue;
    }
    const graph = convertGraph(f.bytes!);
    convertedWeights += graph.convertedWeights;
    out.message(MODEL_GRAPH, graph.writer);
    graphs++;
  }
  if (graphs !== 1) throw new Float16ConversionError('The bytes hold no ONNX graph.');
  return { bytes: out.finish(), convertedWeights };
}

function convertGraph(bytes: Uint8Array): { writer: ProtoWriter; convertedWeights: number } {
  const nodes: ParsedNode[] = [];
  const initializers: Uint8Array[] = [];
  const inputs: ProtoField[] = [], outputs: ProtoField[] = [], others: ProtoField[] = [];
  let convertedWeights = 0;
  for (const f of readFields(bytes)) {
    if (f.field === GRAPH.node) nodes.push(parseNode(f.bytes!));
    else if (f.field === GRAPH.initializer) {
      const tensor = convertTensor(f.bytes!);
      if (tensor.converted) convertedWeights++;
      initializers.push(tensor.bytes);
    } else if (f.field === GRAPH.input) inputs.push(f);
    else if (f.field === GRAPH.output) outputs.push(f);
    // value_info records intermediate types (now partly wrong): ONNX Runtime infers them again.
    else if (f.field !== GRAPH.valueInfo) others.push(f);
  }
  const initializerNames = new Set(initializers.map(tensorName));

  // Float graph inputs and outputs keep their names and types; the graph works on renamed copies.
  const rename = new Map<string, string>();
  const head: ParsedNode[] = [], tail: ParsedNode[] = [];
  for (const f of inputs) {
    const name = valueInfoName(f.bytes!);
    if (initializerNames.has(name) || valueInfoElemType(f.bytes!) !== FLOAT) continue;
    rename.set(name, `${name}__fp16`);
    head.push(castNode(name, `${name}__fp16`, FLOAT16));
  }
  for (const f of outputs) {
    const name = valueInfoName(f.bytes!);
    if (valueInfoElemType(f.bytes!) !== FLOAT) continue;
    rename.set(name, `${name}__fp16`);
    tail.push(castNode(`${name}__fp16`, name, FLOAT));
  }
  const renamed = (name: string) => rename.get(name) ?? name;

  const body: ParsedNode[] = [];
  let casts = 0;
  for (const node of nodes) {
    node.inputs = node.inputs.map(renamed);
    node.outputs = node.outputs.map(renamed);
    for (const position of FLOAT32_INPUTS[node.opType] ?? []) {
      const name = node.inputs[position];
      if (!name) continue;
      const cast = `${name}__fp32_${casts++}`;
      body.push(castNode(name, cast, FLOAT));
      node.inputs[position] = cast;
    }
    body.push(node);
  }

  const writer = new ProtoWriter();
  for (const node of [...head, ...body, ...tail]) writer.message(GRAPH.node, encodeNode(node));
  for (const f of others) writer.raw(f);
  for (const t of initializers) writer.bytes(GRAPH.initializer, t);
  for (const f of inputs) writer.raw(f);
  for (const f of outputs) writer.raw(f);
  return { writer, convertedWeights };
}

function parseNode(bytes: Uint8Array): ParsedNode {
  const node: ParsedNode = { inputs: [], outputs: [], opType: '', rest: new ProtoWriter() };
  const attributes: Uint8Array[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === NODE.input) node.inputs.push(fieldString(f));
    else if (f.field === NODE.output) node.outputs.push(fieldString(f));
    else if (f.field === NODE.attribute) attributes.push(f.bytes!);
    else {
      if (f.field === NODE.opType) node.opType = fieldString(f);
      node.rest.raw(f);
    }
  }
  for (const a of attributes) node.rest.bytes(NODE.attribute, convertAttribute(node.opType, a));
  return node;
}

/** Cast's target type float → float16; float tensor values → float16; subgraphs refused. */
function convertAttribute(opType: string, bytes: Uint8Array): Uint8Array {
  let name = '';
  for (const f of readFields(bytes)) if (f.field === ATTRIBUTE.name) name = fieldString(f);
  const out = new ProtoWriter();
  for (const f of readFields(bytes)) {
    if (f.field === ATTRIBUTE.g || f.field === ATTRIBUTE.graphs) {
      throw new Float16ConversionError(`The model has control flow (${opType} with a subgraph): only plain graphs are converted to fp16.`);
    }
    if (opType === 'Cast' && name === 'to' && f.field === ATTRIBUTE.i && f.varint === BigInt(FLOAT)) out.varint(ATTRIBUTE.i, FLOAT16);
    else if (f.field === ATTRIBUTE.t) out.bytes(ATTRIBUTE.t, convertTensor(f.bytes!).bytes);
    else out.raw(f);
  }
  return out.finish();
}

/** A float32 TensorProto as float16 (raw data); other tensors as they are. */
function convertTensor(bytes: Uint8Array): { bytes: Uint8Array; converted: boolean } {
  let dataType = 0, raw: Uint8Array | undefined, packed: Uint8Array | undefined;
  const floats: number[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === TENSOR.dataType) dataType = Number(f.varint);
    else if (f.field === TENSOR.rawData) raw = f.bytes;
    else if (f.field === TENSOR.floatData) {
      if (f.wireType === 2) packed = f.bytes;
      else floats.push(new DataView(f.bytes!.buffer, f.bytes!.byteOffset, 4).getFloat32(0, true));
    } else if (f.field === TENSOR.dataLocation && f.varint === 1n) {
      throw new Float16ConversionError('The model keeps its weights in external files: only self-contained models are converted to fp16.');
    }
  }
  if (dataType !== FLOAT) return { bytes, converted: false };
  const source = raw ?? packed;
  const values = source ? readFloat32s(source) : Float32Array.from(floats);
  const half = new Uint16Array(values.length);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) half[i] = float32BitsToFloat16Bits(bits[i]!);
  const out = new ProtoWriter();
  for (const f of readFields(bytes)) {
    if (f.field === TENSOR.dataType) out.varint(TENSOR.dataType, FLOAT16);
    else if (f.field !== TENSOR.rawData && f.field !== TENSOR.floatData) out.raw(f);
  }
  out.bytes(TENSOR.rawData, new Uint8Array(half.buffer));
  return { bytes: out.finish(), converted: true };
}

function readFloat32s(bytes: Uint8Array): Float32Array {
  // Little-endian on every platform a browser runs on; copy to align.
  return new Float32Array(bytes.slice().buffer);
}

/**
 * IEEE half-precision bits of `value`, rounded to nearest even. Finite values beyond the half
 * range clamp to ±65504 (a weight that large is a saturated one, not an infinity).
 */
export function toFloat16Bits(value: number): number {
  return float32BitsToFloat16Bits(new Uint32Array(Float32Array.of(value).buffer)[0]!);
}

/** The same from a float32's bits: no allocation per value (a model has tens of millions). */
function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    const m = mantissa | 0x800000, shift = 14 - e;
    let half = m >>> shift;
    const remainder = m & ((1 << shift) - 1), halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half++; // may carry into the exponent: still right
  return sign | Math.min(half, 0x7bff);
}

function castNode(input: string, output: string, to: number): ParsedNode {
  const rest = new ProtoWriter().string(NODE.name, `${output}_cast`).string(NODE.opType, 'Cast');
  rest.message(NODE.attribute, new ProtoWriter().string(ATTRIBUTE.name, 'to').varint(ATTRIBUTE.i, to).varint(20, 2));
  return { inputs: [input], outputs: [output], opType: 'Cast', rest };
}

function encodeNode(node: ParsedNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of node.inputs) w.string(NODE.input, i);
  for (const o of node.outputs) w.string(NODE.output, o);
  for (const f of readFields(node.rest.finish())) w.raw(f);
  return w;
}

function tensorName(bytes: Uint8Array): string {
  for (const f of readFields(bytes)) if (f.field === 8) return fieldString(f);
  return '';
}

function valueInfoName(bytes: Uint8Array): string {
  for (const f of readFields(bytes)) if (f.field === 1) return fieldString(f);
  return '';
}

/** ValueInfoProto.type.tensor_type.elem_type, or 0 for a non-tensor. */
function valueInfoElemType(bytes: Uint8Array): number {
  for (const f of readFields(bytes)) {
    if (f.field !== 2) continue;
    for (const t of readFields(f.bytes!)) {
      if (t.field !== 1) continue;
      for (const e of readFields(t.bytes!)) if (e.field === 1) return Number(e.varint);
    }
  }
  return 0;
}
