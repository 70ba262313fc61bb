/**
 * The package's own files the tracker loads (everything but the user's models), as URLs.
 *
 * By default each is a literal `new URL('…', import.meta.url)` relative to the built module: the
 * form bundlers (Vite, webpack, Rollup) recognise, so an app build copies the files beside its
 * bundle, and a plain static server finds them in the package's `dist/` and `models/`. With
 * `assetBaseUrl` they are fetched from a copy of the package served elsewhere (a CDN or the app's
 * own server), laid out as the package is: `<base>dist/…`, `<base>models/…`.
 */
export interface PackageAssetUrls {
  faceModel: string;
  landmarker: string;
  trackingWorker: string;
  /** MediaPipe's WASM runtime for module workers: its ES-module loader and binary. */
  mediapipeLoader: string;
  mediapipeWasm: string;
  /** The ViT prior's worker and ONNX Runtime's WASM runtime (fetched only when a prior is configured). */
  priorWorker: string;
  ortLoader: string;
  ortWasm: string;
}

/** The files next to this module (see above). Literal URLs only: a bundler cannot follow a helper. */
function bundledAssetUrls(): PackageAssetUrls {
  return {
    faceModel: new URL('../models/face-default.glb', import.meta.url).href,
    landmarker: new URL('../models/mediapipe/face_landmarker.task', import.meta.url).href,
    trackingWorker: new URL('./tracking-worker.js', import.meta.url).href,
    mediapipeLoader: new URL('./mediapipe-wasm/vision_wasm_module_internal.js', import.meta.url).href,
    mediapipeWasm: new URL('./mediapipe-wasm/vision_wasm_module_internal.wasm', import.meta.url).href,
    priorWorker: new URL('./prior-worker.js', import.meta.url).href,
    ortLoader: new URL('./ort-wasm/ort-wasm-simd-threaded.asyncify.mjs', import.meta.url).href,
    ortWasm: new URL('./ort-wasm/ort-wasm-simd-threaded.asyncify.wasm', import.meta.url).href,
  };
}

/** The package's files: next to this module, or under `baseUrl` (the package root, e.g. `https://cdn.jsdelivr.net/npm/pixel3dmm-web@0.1.0/`). */
export function packageAssetUrls(baseUrl?: string | URL): PackageAssetUrls {
  if (baseUrl === undefined) return bundledAssetUrls();
  const base = new URL(String(baseUrl).endsWith('/') ? String(baseUrl) : `${baseUrl}/`, globalThis.location?.href);
  const at = (path: string) => new URL(path, base).href;
  return {
    faceModel: at('models/face-default.glb'),
    landmarker: at('models/mediapipe/face_landmarker.task'),
    trackingWorker: at('dist/tracking-worker.js'),
    mediapipeLoader: at('dist/mediapipe-wasm/vision_wasm_module_internal.js'),
    mediapipeWasm: at('dist/mediapipe-wasm/vision_wasm_module_internal.wasm'),
    priorWorker: at('dist/prior-worker.js'),
    ortLoader: at('dist/ort-wasm/ort-wasm-simd-threaded.asyncify.mjs'),
    ortWasm: at('dist/ort-wasm/ort-wasm-simd-threaded.asyncify.wasm'),
  };
}
