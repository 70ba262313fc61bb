/**
 * Latin-1 (ISO-8859-1) is how Python 3 loads Python 2 `str` data (`encoding='latin1'`): each
 * byte becomes the code point of the same value, so the round trip is lossless.
 */

/** Bytes → a string of code points 0–255. */
export function latin1Decode(bytes: Uint8Array): string {
  // String.fromCharCode takes the bytes as call arguments: a modest count per call. `apply` with
  // the typed array itself is several times faster than spreading it.
  const chunk = 8192;
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]));
  return parts.join('');
}

/** A string of code points 0–255 → bytes. */
export function latin1Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
