// Builds dist/: the package's entry points (ESM + .d.ts: the tracker, three.js avatars, recording,
// the pure-math core), the self-contained tracking worker with the MediaPipe WASM it loads, the
// ViT prior's worker with ONNX Runtime's, and the Node CLI.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { minify } from 'terser';

/** Copies runtime files (WASM, loaders) next to the worker once the bundle is written; `[from, to, filter?]`. */
const copyRuntimeFiles = (pairs) => ({
  name: 'copy-runtime-files',
  writeBundle() {
    for (const [from, to, filter] of pairs) {
      mkdirSync(to, { recursive: true });
      cpSync(from, to, { recursive: true, filter });
    }
  },
});

// Chunk names carry content hashes: a build over an old dist/ would leave stale chunks that
// `npm pack` ships. Each build starts from an empty dist/.
rmSync(resolve('dist'), { recursive: true, force: true });

// No source maps: the package ships its bundles, not the sources a map would point into.
/** The package's entry points (source → built file), for bundles that import them instead of copying them. */
const ENTRY_FILES = new Map(
  [['src/index.ts', './index.js'], ['src/record.ts', './record.js'], ['src/core/index.ts', './core.js']].map(([source, built]) => [resolve(source), built]),
);

/** dist/track.html: the page that loads dist/track-page.js. */
const trackPageHtml = {
  name: 'track-page-html',
  generateBundle() {
    const source = '<!doctype html>\n<html>\n  <head><meta charset="utf-8" /><title>pixel3dmm-web track</title></head>\n  <body>\n    <!-- Driven by `pixel3dmm-web track`: see scripts/cli/trackPage.ts. -->\n    <script type="module" src="./track-page.js"></script>\n  </body>\n</html>\n';
    this.emitFile({ type: 'asset', fileName: 'track.html', source });
  },
};

const ts = (options = {}) =>
  typescript({ tsconfig: './tsconfig.build.json', sourceMap: false, noEmitOnError: true, ...options });

/**
 * A self-contained worker bundle, minified (a worker reaches users' browsers as it is: bundlers
 * copy it, they do not rebuild it), with the runtime files it loads copied beside it.
 */
const workerBundle = (name, input, runtimeFiles) => ({
  input: { [name]: input },
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', inlineDynamicImports: true },
  plugins: [nodeResolve({ browser: true }), commonjs(), ts({ declaration: false, outDir: 'dist' }), terser(), copyRuntimeFiles([runtimeFiles])],
});

/** Mediabunny's published modules import each other in cycles and use TypeScript's `this`-guarded helpers: both harmless. */
const onwarn = (warning, warn) => {
  const ids = warning.ids ?? [warning.id ?? ''];
  if ((warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') && ids.some((id) => id.includes('node_modules/mediabunny/'))) return;
  warn(warning);
};

/**
 * Minifies the chunks made of dependencies alone (Mediabunny, loaded on first use): our own code
 * stays readable in dist/, the vendor code ships at half the size. Licence comments are kept.
 */
const minifyDependencyChunks = {
  name: 'minify-dependency-chunks',
  async renderChunk(code, chunk) {
    // Virtual modules ('\0…': the empty stand-in for Mediabunny's Node-only imports) are the plugins', not ours.
    if (chunk.isEntry || !chunk.moduleIds.every((id) => id.includes('/node_modules/') || id.startsWith('\0'))) return null;
    return { code: (await minify(code, { module: true, format: { comments: /^!|@license|@preserve/ } })).code, map: null };
  },
};

const bundles = [
  {
    input: { index: 'src/index.ts', three: 'src/three.ts', record: 'src/record.ts', core: 'src/core/index.ts' },
    // Chunks beside the entries: code that resolves files relative to itself (new URL('./x', import.meta.url)) works from any of them.
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    external: (id) => id === 'three' || id.startsWith('three/'),
    plugins: [nodeResolve({ browser: true }), commonjs(), ts({ declaration: true, declarationDir: 'dist', rootDir: 'src' }), minifyDependencyChunks],
  },
  // The tracking worker, with MediaPipe's ES-module build only: the worker imports it, and so does
  // the page in the main-thread fallback.
  workerBundle('tracking-worker', 'src/workers/tracking/tracking.worker.ts', [
    'node_modules/@mediapipe/tasks-vision/wasm',
    'dist/mediapipe-wasm',
    (src) => src.endsWith('/wasm') || /vision_wasm_module_internal\.(js|wasm)$/.test(src),
  ]),
  // The ViT prior's worker (started by the tracking worker) with the onnxruntime-web build its
  // 'onnxruntime-web/webgpu' entry loads (WebGPU and WASM execution providers).
  workerBundle('prior-worker', 'src/workers/prior/prior.worker.ts', [
    'node_modules/onnxruntime-web/dist',
    'dist/ort-wasm',
    (src) => src.endsWith('/dist') || /ort-wasm-simd-threaded\.asyncify\.(mjs|wasm)$/.test(src),
  ]),
  {
    // The page the `track` command drives: the SDK bundled whole, so it needs no import map.
    // It imports the package's entry points, kept external: the page loads dist/index.js, record.js and core.js.
    // What it draws and encodes with (three.js, Mediabunny) goes in one chunk beside it, minified.
    input: { 'track-page': 'scripts/cli/trackPage.ts' },
    external: (id) => ENTRY_FILES.has(id),
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      manualChunks: (id) => (id.includes('/node_modules/') ? 'track-page-vendor' : undefined),
      paths: (id) => ENTRY_FILES.get(id) ?? id,
    },
    plugins: [nodeResolve({ browser: true }), commonjs(), ts({ declaration: false, outDir: 'dist', rootDir: '.' }), trackPageHtml, minifyDependencyChunks],
  },
  {
    input: { cli: 'scripts/cli/main.ts' },
    // One file: the CLI finds the package root relative to itself.
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', inlineDynamicImports: true },
    // Everything bundled but Playwright (a dependency): glTF-Transform's texture code resolves to its
    // browser build, which needs no native image library (sharp) and is never called here.
    external: (id) => id.startsWith('node:') || id === 'playwright-core',
    plugins: [nodeResolve({ preferBuiltins: true }), commonjs(), ts({ declaration: false, outDir: 'dist', rootDir: '.' }), terser()],
  },
];

export default bundles.map((bundle) => ({ onwarn, ...bundle }));
