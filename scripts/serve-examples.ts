/**
 * `npm run examples`: serves the repository root (the built SDK in dist/, three.js from
 * node_modules, the example pages) on loopback with the cross-origin isolation headers the
 * tracker's threaded WASM needs, and prints the examples' URL. Ctrl-C stops it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveDirectory } from './cli/browser.js';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}dist/index.js`)) {
  console.error('dist/ is missing: run `npm run build` first (`npm run examples` does).');
  process.exit(1);
}
const server = await serveDirectory(root);
console.log(`pixel3dmm-web examples: ${server.url}/examples/index.html`);
for (const page of ['webcam-avatar', 'video-call-filter', 'expression-recorder']) console.log(`  ${server.url}/examples/${page}.html`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
