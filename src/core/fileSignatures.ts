/**
 * What the package's file kinds look like in their first (and last) bytes: enough to tell the
 * right file from a server's HTML fallback page, a file of another kind, or a cut-off download,
 * before the bytes are parsed or cached.
 */
export type FileKind = 'glb' | 'task' | 'onnx' | 'wasm';

const FILE_NAMES: Record<FileKind, string> = {
  glb: 'a binary glTF (.glb)',
  task: "a MediaPipe task bundle (.task, a zip)",
  onnx: 'an ONNX model (.onnx)',
  wasm: 'a WebAssembly binary (.wasm)',
};

/** Why `bytes` are not a whole file of `kind`; undefined when they look right. */
export function fileProblem(bytes: Uint8Array, kind: FileKind): string | undefined {
  const expected = FILE_NAMES[kind];
  if (bytes.byteLength === 0) return `an empty file, not ${expected}`;
  if (looksLikeText(bytes)) return `${describeText(bytes)}, not ${expected}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (kind) {
    case 'glb': {
      if (bytes.byteLength < 20 || view.getUint32(0, true) !== 0x46546c67) return `not ${expected} (no 'glTF' magic)`;
      const declared = view.getUint32(8, true);
      if (declared > bytes.byteLength) return `${expected} cut off: its header says ${declared} bytes, ${bytes.byteLength} arrived`;
      return undefined;
    }
    case 'task':
      // A zip ends with its end-of-central-directory record (within the last 64 KiB + 22 bytes).
      return hasZipEnd(bytes) ? undefined : `not ${expected}, or one cut off (no zip directory at its end)`;
    case 'onnx':
      // A ModelProto starts with its ir_version field (field 1, varint: tag 0x08).
      return bytes[0] === 0x08 && bytes.byteLength > 16 ? undefined : `not ${expected} (it does not start with an ONNX ir_version field)`;
    case 'wasm':
      return bytes.byteLength >= 8 && view.getUint32(0, true) === 0x6d736100 && view.getUint32(4, true) === 1 ? undefined : `not ${expected} (no '\\0asm' magic)`;
  }
}

function hasZipEnd(bytes: Uint8Array): boolean {
  const stop = Math.max(0, bytes.byteLength - 65557);
  for (let i = bytes.byteLength - 22; i >= stop; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) return true;
  }
  return false;
}

/** Text where a binary file was expected: an HTML page, JSON, a plain error message. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, Math.min(bytes.byteLength, 512));
  let start = 0;
  while (start < head.length && (head[start] === 0x20 || head[start] === 0x0a || head[start] === 0x0d || head[start] === 0x09 || head[start] === 0xef || head[start] === 0xbb || head[start] === 0xbf)) start++;
  if (start >= head.length) return true;
  const first = head[start]!;
  if (first !== 0x3c && first !== 0x7b && first !== 0x5b) return false; // '<', '{', '['
  for (let i = start; i < head.length; i++) if (head[i]! < 0x09) return false; // control bytes: binary after all
  return true;
}

function describeText(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 256)).trim();
  if (/^<(!doctype\s+html|html)/i.test(text)) return 'an HTML page (a server or dev server answering with its fallback page: the file is not served at that URL)';
  return `text starting "${text.slice(0, 60).replace(/\s+/g, ' ')}"`;
}
