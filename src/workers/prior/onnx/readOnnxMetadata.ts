import { fieldString, readFields } from '../../../core/encoding/protobufWire.js';

/** `ModelProto.metadata_props` (field 14): key → value. ONNX Runtime Web does not expose it. */
const METADATA_PROPS = 14;

/**
 * Reads an ONNX model's custom metadata (`metadata_props`) from its bytes. Only the top-level
 * fields are walked; the graph (weights included) is skipped by length, so this is fast even for
 * large models. Throws when the bytes are not a protobuf message.
 */
export function readOnnxMetadata(model: Uint8Array): Map<string, string> {
  const metadata = new Map<string, string>();
  for (const f of readFields(model)) {
    if (f.field !== METADATA_PROPS || f.wireType !== 2) continue;
    let key = '', value = '';
    for (const entry of readFields(f.bytes!)) {
      if (entry.field === 1) key = fieldString(entry);
      else if (entry.field === 2) value = fieldString(entry);
    }
    metadata.set(key, value);
  }
  return metadata;
}
