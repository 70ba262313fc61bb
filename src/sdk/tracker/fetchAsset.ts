import { TrackerError } from '../../core/errors.js';
import { fileProblem, type FileKind } from '../../core/fileSignatures.js';

/** Download progress of one asset; `total` is 0 when the server sends no length. */
export interface LoadProgress {
  url: string;
  /** Bytes received so far. */
  loaded: number;
  total: number;
  /** True when the bytes came from the Cache Storage copy of an earlier download. */
  fromCache: boolean;
}

export interface FetchAssetOptions {
  /** What the file must be: bytes that are not (an HTML fallback page, a cut-off download) are refused, never cached. */
  kind: FileKind;
  onProgress?: (p: LoadProgress) => void;
  /** Keep a verified copy in Cache Storage (default true). */
  cache?: boolean;
}

/** Bumped when what the cache holds changes meaning; entries are keyed by URL within it. */
const CACHE_NAME = 'pixel3dmm-web-assets-v2';
/** How long a cached copy's revalidation may take before the copy is used as it is. */
const REVALIDATE_TIMEOUT_MS = 3000;

/**
 * Fetches one of the tracker's files with progress. The bytes are checked against `kind` before
 * they are used or cached: an HTML page, a file of another kind or a cut-off download is a
 * `model-fetch` error naming the URL and what came back (as are network and HTTP failures). A
 * verified copy is kept in Cache Storage; a later start revalidates it (ETag / Last-Modified), so
 * a file replaced at the same URL is fetched again, and uses the copy when offline.
 */
export async function fetchAsset(url: string, options: FetchAssetOptions): Promise<Uint8Array> {
  const cache = options.cache !== false && typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => undefined) : undefined;
  const cached = await cache?.match(url);
  let response: Response;
  if (cached) {
    const fresh = await revalidate(url, cached);
    if (!fresh) {
      const bytes = new Uint8Array(await cached.arrayBuffer());
      options.onProgress?.({ url, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
      return bytes;
    }
    response = fresh;
  } else {
    response = await request(url);
  }
  if (!response.ok) {
    throw new TrackerError('model-fetch', `Could not download ${url}: HTTP ${response.status} ${response.statusText}. Check that the file is served at that URL.`, {
      url,
      status: response.status,
    });
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (/^text\/html/i.test(type)) {
    throw new TrackerError('model-fetch', `Could not download ${url}: the server sent an HTML page (Content-Type ${type}), not the file: it is not served at that URL (a dev server or single-page app answers unknown paths with index.html).`, { url, contentType: type });
  }
  const total = Number(response.headers.get('Content-Length') ?? 0);
  const bytes = await readWithProgress(response, (loaded) => options.onProgress?.({ url, loaded, total, fromCache: false }));
  const problem = fileProblem(bytes, options.kind);
  if (problem) throw new TrackerError('model-fetch', `Could not use ${url}: what came back is ${problem}.`, { url, contentType: type, bytes: bytes.byteLength });
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  for (const validator of ['ETag', 'Last-Modified']) {
    const value = response.headers.get(validator);
    if (value) headers[validator] = value;
  }
  // A failed cache write (quota, private mode) only costs the next start a download.
  await cache?.put(url, new Response(bytes.slice(), { headers })).catch(() => undefined);
  return bytes;
}

async function request(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (cause) {
    throw new TrackerError('model-fetch', `Could not download ${url}: ${(cause as Error).message}. Check the URL and your connection.`, { url }, { cause });
  }
}

/**
 * Asks the server whether a cached copy is still current: undefined to use the copy (304, no
 * validator to ask with, offline, too slow), else the new response.
 */
async function revalidate(url: string, cached: Response): Promise<Response | undefined> {
  const etag = cached.headers.get('ETag'), modified = cached.headers.get('Last-Modified');
  if (!etag && !modified) return undefined;
  const headers: Record<string, string> = etag ? { 'If-None-Match': etag } : { 'If-Modified-Since': modified! };
  const response = await fetch(url, { headers, cache: 'no-store', signal: AbortSignal.timeout(REVALIDATE_TIMEOUT_MS) }).catch(() => undefined);
  return response && response.status !== 304 && response.ok ? response : undefined;
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
