/**
 * A WebAssembly runtime handed to a worker: the URL of its JavaScript loader (an ES module the
 * worker imports) and the binary's bytes, downloaded, verified and cached by the page (see
 * `fetchAsset`), so a worker never fetches a multi-megabyte file without progress or checks.
 */
export interface WasmRuntime {
  loaderUrl: string;
  wasm: Uint8Array;
}
