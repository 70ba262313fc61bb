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
  /**
   * Give up on an attempt when no byte (nor the response's headers) has arrived for this long, in
   * ms (default 30 000; 0: never). A stall, not a limit on the whole download: a big file on a slow
   * link finishes as long as bytes keep coming.
   */
  stallTimeoutMs?: number;
  /**
   * Further attempts after a stall, a cut-off download, a network failure or an HTTP 5xx / 408 /
   * 429 answer (default 2), after 1 s, then 2 s, 4 s, …
   */
  retries?: number;
  /** Aborting it cancels the download: the promise rejects with a `disposed` TrackerError. */
  signal?: AbortSignal;
}

/** Bumped when what the cache holds changes meaning; entries are keyed by URL within it. */
const CACHE_NAME = 'pixel3dmm-web-assets-v2';
/** How long a cached copy's revalidation may take before the copy is used as it is. */
const REVALIDATE_TIMEOUT_MS = 3000;
/**
 * A live connection, even a slow mobile one, delivers a chunk every few seconds; a browser puts no
 * limit on a response body that stops coming, so without one a stalled download waits forever.
 * 30 s is far beyond a healthy link's gaps (and a proxy's or a CDN's slow first byte) and short
 * enough that a user is told what happened rather than left watching a frozen progress bar.
 */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
/** Two more tries (after 1 s and 2 s) ride out a dropped connection or a brief outage. */
export const DEFAULT_RETRIES = 2;
const FIRST_BACKOFF_MS = 1000;

/** A failure that another attempt may not repeat (stall, cut-off, network, HTTP 5xx). */
class TransientFailure extends Error {
  constructor(readonly error: TrackerError) {
    super(error.message);
  }
}

/**
 * Fetches one of the tracker's files with progress. The bytes are checked against `kind` before
 * they are used or cached: an HTML page, a file of another kind or a cut-off download is a
 * `model-fetch` error naming the URL and what came back (as are network and HTTP failures). A
 * download that stalls (no byte for `stallTimeoutMs`), is cut off or fails on the network is
 * retried `retries` times with back-off before it fails. A verified copy is kept in Cache
 * Storage; a later start revalidates it (ETag / Last-Modified), so a file replaced at the same
 * URL is fetched again, and uses the copy when offline.
 */
export async function fetchAsset(url: string, options: FetchAssetOptions): Promise<Uint8Array> {
  throwIfAborted(url, options.signal);
  const cache = options.cache !== false && typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => undefined) : undefined;
  const cached = await cache?.match(url);
  let revalidated: Response | undefined;
  if (cached) {
    revalidated = await revalidate(url, cached, options.signal);
    throwIfAborted(url, options.signal);
    if (!revalidated) {
      const bytes = new Uint8Array(await cached.arrayBuffer());
      options.onProgress?.({ url, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
      return bytes;
    }
  }
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
  for (let attempt = 1; ; attempt++) {
    try {
      const { response, bytes } = await download(url, options, attempt, retries + 1, attempt === 1 ? revalidated : undefined);
      const type = response.headers.get('Content-Type') ?? '';
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
    } catch (failure) {
      if (!(failure instanceof TransientFailure)) throw failure;
      if (attempt > retries) throw failure.error;
      await sleep(FIRST_BACKOFF_MS * 2 ** (attempt - 1), url, options.signal);
    }
  }
}

/**
 * One attempt: the request (unless `response` already answered it) and its body, aborted when no
 * byte arrives for the stall timeout or when `options.signal` aborts.
 */
async function download(url: string, options: FetchAssetOptions, attempt: number, attempts: number, response?: Response): Promise<{ response: Response; bytes: Uint8Array }> {
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const controller = new AbortController();
  const cancel = () => controller.abort();
  options.signal?.addEventListener('abort', cancel);
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    if (stallMs > 0 && Number.isFinite(stallMs))
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, stallMs);
  };
  let loaded = 0, total = 0;
  const tries = attempts > 1 ? ` (attempt ${attempt} of ${attempts})` : '';
  const advice = 'Check your connection and that the server is up, then try again; `downloadStallTimeoutMs` and `downloadRetries` (FaceTracker.create options) allow for a slow or unreliable link.';
  try {
    arm();
    if (!response) response = await fetch(url, { signal: controller.signal });
    if (!response.ok) {
      const status = response.status;
      const transient = status >= 500 || status === 408 || status === 429;
      const error = new TrackerError('model-fetch', `Could not download ${url}: HTTP ${status} ${response.statusText}${transient ? tries : ''}. ${httpAdvice(status, transient)}`, { url, status, attempts: attempt });
      response.body?.cancel().catch(() => undefined);
      throw transient ? new TransientFailure(error) : error;
    }
    const type = response.headers.get('Content-Type') ?? '';
    if (/^text\/html/i.test(type)) {
      response.body?.cancel().catch(() => undefined);
      throw new TrackerError('model-fetch', `Could not download ${url}: the server sent an HTML page (Content-Type ${type}), not the file: it is not served at that URL (a dev server or single-page app answers unknown paths with index.html).`, { url, contentType: type });
    }
    total = Number(response.headers.get('Content-Length') ?? 0);
    const onLoaded = (n: number) => {
      loaded = n;
      arm();
      options.onProgress?.({ url, loaded, total, fromCache: false });
    };
    const bytes = await readWithProgress(response, onLoaded, controller.signal);
    if (controller.signal.aborted) throw new DOMException('aborted', 'AbortError');
    // The browser errors a body shorter than its Content-Length itself; this catches what it lets
    // through. Only where the length is that of these bytes: not for an encoded (gzip) body.
    const encoding = response.headers.get('Content-Encoding');
    if (response.type === 'basic' && total > 0 && bytes.byteLength < total && (!encoding || encoding === 'identity')) {
      throw new TransientFailure(
        new TrackerError('model-fetch', `Could not download ${url}: the download was cut off after ${bytes.byteLength} of ${total} bytes${tries}. ${advice}`, { url, bytes: bytes.byteLength, total, attempts: attempt, reason: 'cut-off' }),
      );
    }
    return { response, bytes };
  } catch (cause) {
    if (cause instanceof TrackerError || cause instanceof TransientFailure) throw cause;
    throwIfAborted(url, options.signal);
    const of = total > 0 ? ` of ${total}` : '';
    if (stalled) {
      throw new TransientFailure(
        new TrackerError('model-fetch', `Could not download ${url}: the download stalled, no data for ${stallMs / 1000} s after ${loaded}${of} bytes${tries}. ${advice}`, { url, bytes: loaded, total, attempts: attempt, reason: 'stall' }, { cause }),
      );
    }
    const what = response ? `the download was cut off after ${loaded}${of} bytes (${(cause as Error).message})` : `${(cause as Error).message}`;
    throw new TransientFailure(
      new TrackerError('model-fetch', `Could not download ${url}: ${what}${tries}. ${advice}`, { url, bytes: loaded, total, attempts: attempt, reason: response ? 'cut-off' : 'network' }, { cause }),
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
}

/** What to do about an HTTP error answer. */
function httpAdvice(status: number, transient: boolean): string {
  if (transient) return 'The server failed or is overloaded: try again later; if it goes on, the server needs fixing.';
  if (status === 404 || status === 410) {
    return "No file at that URL: check it (FaceTracker.create's `model`, `landmarker`, `prior.onnx` or `assetBaseUrl` option) and that the file is deployed there.";
  }
  if (status === 401 || status === 403) return 'The server refuses to serve it: check its access rules for this page (login, allowed origins).';
  return 'Check that the file is served at that URL.';
}

function throwIfAborted(url: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrackerError('disposed', `The download of ${url} was cancelled (its AbortSignal was aborted).`, { url });
}

/** Waits `ms`, or rejects with `disposed` as soon as `signal` aborts. */
function sleep(ms: number, url: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      try {
        throwIfAborted(url, signal);
        resolve();
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

/**
 * Asks the server whether a cached copy is still current: undefined to use the copy (304, no
 * validator to ask with, offline, too slow), else the new response.
 */
async function revalidate(url: string, cached: Response, signal: AbortSignal | undefined): Promise<Response | undefined> {
  const etag = cached.headers.get('ETag'), modified = cached.headers.get('Last-Modified');
  if (!etag && !modified) return undefined;
  const headers: Record<string, string> = etag ? { 'If-None-Match': etag } : { 'If-Modified-Since': modified! };
  const controller = new AbortController();
  const cancel = () => controller.abort();
  signal?.addEventListener('abort', cancel);
  const timer = setTimeout(cancel, REVALIDATE_TIMEOUT_MS);
  const response = await fetch(url, { headers, cache: 'no-store', signal: controller.signal }).catch(() => undefined);
  clearTimeout(timer);
  signal?.removeEventListener('abort', cancel);
  return response && response.status !== 304 && response.ok ? response : undefined;
}

async function readWithProgress(response: Response, onLoaded: (loaded: number) => void, signal: AbortSignal): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onLoaded(bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  // A body already answered (a revalidation's) did not come from this signal's fetch: cancel it here.
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel);
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onLoaded(0);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onLoaded(loaded);
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
