import { TrackerError } from '../../core/errors.js';

/** Download progress of one asset; `total` is 0 when the server sends no length. */
export interface LoadProgress {
  url: string;
  /** Bytes received so far. */
  loaded: number;
  total: number;
  /** True when the bytes came from the Cache Storage copy of an earlier download. */
  fromCache: boolean;
}

const CACHE_NAME = 'pixel3dmm-web-assets-v1';

/**
 * Fetches a model file with progress, keeping a copy in Cache Storage so the next start skips
 * the download. Failures become `model-fetch` errors naming the URL and HTTP status.
 */
export async function fetchAsset(url: string, options: { onProgress?: (p: LoadProgress) => void; cache?: boolean } = {}): Promise<Uint8Array> {
  const cache = options.cache !== false && typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => undefined) : undefined;
  const cached = await cache?.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    options.onProgress?.({ url, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
    return bytes;
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new TrackerError('model-fetch', `Could not download ${url}: ${(cause as Error).message}. Check the URL and your connection.`, { url }, { cause });
  }
  if (!response.ok) {
    throw new TrackerError('model-fetch', `Could not download ${url}: HTTP ${response.status} ${response.statusText}. Check that the file is served at that URL.`, {
      url,
      status: response.status,
    });
  }
  const total = Number(response.headers.get('Content-Length') ?? 0);
  const bytes = await readWithProgress(response, (loaded) => options.onProgress?.({ url, loaded, total, fromCache: false }));
  // A failed cache write (quota, private mode) only costs the next start a download.
  await cache?.put(url, new Response(bytes.slice(), { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => undefined);
  return bytes;
}

async function readWithProgress(response: Response, onLoaded: (loaded: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onLoaded(bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onLoaded(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onLoaded(loaded);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
