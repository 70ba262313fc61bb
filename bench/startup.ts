/**
 * `npm run bench -- startup`: what a user's app pays to start, and the `track` command's rate.
 * - tarball_mb: the packed package (npm pack).
 * - A fresh Vite app (README's "In your app" block, production build) served as static hosts
 *   serve it (gzip for JavaScript and WASM), opened in headless Chromium with the sample video as
 *   the camera: the bytes transferred before the first frame event, and the time to it, cold
 *   (empty caches) and warm (a second visit: Cache Storage and the HTTP cache hold the files).
 * - track_fps: the `track` command's pass over the sample video; mediapipe_only_fps_same_file:
 *   MediaPipe alone decoding and detecting the same frames in the same browser, two in flight.
 * Needs `npm run build` first and the npm registry (Vite, TypeScript, three for the app).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext } from 'playwright-core';
import { launchChromium, serveDirectory } from '../scripts/cli/browser.js';
import { trackVideo } from '../scripts/cli/track.js';
import { createConsumerApp, packTarball } from '../test/package/consumerApp.js';
import { bundleBenchPages } from './pipeline/bundle.js';

const root = new URL('..', import.meta.url).pathname;
const sample = join(root, 'examples/media/webcam-head-motion.mp4');
const log = (...args: unknown[]) => console.log('#', ...args);
const ROUNDS = 3;

/** A static host for the built app: gzip where hosts compress (JavaScript, WASM, HTML), files as they are otherwise. */
async function serveCompressed(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.glb': 'model/gltf-binary', '.task': 'application/octet-stream' };
  const gzipped = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const type = types[extname(file)] ?? 'application/octet-stream';
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    if (/javascript|wasm|html/.test(type) && /gzip/.test(String(req.headers['accept-encoding']))) {
      if (!gzipped.has(file)) gzipped.set(file, gzipSync(readFileSync(file)));
      res.setHeader('Content-Encoding', 'gzip');
      res.end(gzipped.get(file));
      return;
    }
    res.setHeader('Content-Length', statSync(file).size);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Visits the app in `context`; bytes received (as sent: compressed where the host compressed) and page time until the first frame. */
async function firstFrame(context: BrowserContext, url: string): Promise<{ ms: number; bytes: number }> {
  const page = await context.newPage();
  let bytes = 0, counting = true;
  page.on('requestfinished', (request) =>
    void request.sizes().then((s) => {
      if (counting) bytes += s.responseBodySize + s.responseHeadersSize;
    }),
  );
  await page.goto(url);
  const ms = await page.waitForFunction(() => (window as unknown as { consumerProbe?: { firstFrameMs?: number } }).consumerProbe?.firstFrameMs, undefined, { timeout: 120_000 }).then((h) => h.jsonValue() as Promise<number>);
  await new Promise((r) => setTimeout(r, 200)); // sizes of the last responses
  counting = false;
  await page.close();
  return { ms, bytes };
}

if (!existsSync(join(root, 'dist/index.js'))) throw new Error('Run `npm run build` first.');
const work = mkdtempSync(join(tmpdir(), 'p3dmm-startup-'));
try {
  const tarball = packTarball(work);
  const tarballMb = statSync(tarball).size / 1e6;
  log(`tarball ${tarballMb.toFixed(2)} MB`);
  const app = createConsumerApp(work, tarball);
  execFileSync('npx', ['vite', 'build'], { cwd: app, stdio: 'pipe' });
  const host = await serveCompressed(join(app, 'dist'));
  const camera = join(work, 'camera.y4m');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '4', '-i', sample, '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', camera]);
  const browser = await launchChromium({ fakeCamera: camera, webgpu: false });
  let cold, warm;
  const trackFps: number[] = [], mediapipeFps: number[] = [];
  let trackSeconds = 0;
  try {
    const context = await browser.newContext();
    cold = await firstFrame(context, `${host.url}/`);
    warm = await firstFrame(context, `${host.url}/`);
    await context.close();
    log(`first frame: cold ${cold.ms.toFixed(0)} ms after ${(cold.bytes / 1e6).toFixed(2)} MB; warm ${warm.ms.toFixed(0)} ms after ${(warm.bytes / 1e6).toFixed(2)} MB`);

    // The track command's pass and MediaPipe alone on the same file, alternated in one browser so
    // that load drifts on this shared machine hit both alike; each one's best round counts.
    await bundleBenchPages();
    const server = await serveDirectory(root);
    const page = await browser.newPage();
    await page.goto(`${server.url}/bench/pipeline/page.html`);
    await page.waitForFunction(() => typeof window.runMediapipeOnly === 'function');
    for (let round = 0; round < ROUNDS; round++) {
      mediapipeFps.push(await page.evaluate((url) => window.runMediapipeOnly(url), '/examples/media/webcam-head-motion.mp4'));
      const result = await trackVideo(sample, work, { sheetFrames: 12, smoothing: true, onProgress: () => undefined, browser });
      trackFps.push(result.frames / result.trackingSeconds);
      trackSeconds = result.seconds;
      log(`round ${round + 1}: track ${trackFps.at(-1)!.toFixed(1)} fps (${result.seconds.toFixed(1)} s with start-up and exports), MediaPipe alone ${mediapipeFps.at(-1)!.toFixed(1)} fps`);
    }
    await page.close();
    await server.close();
  } finally {
    await browser.close();
    await host.close();
  }
  const best = (values: number[]) => Math.max(...values);
  console.log(
    JSON.stringify({
      tarball_mb: +tarballMb.toFixed(2),
      first_frame_bytes_mb: +(cold.bytes / 1e6).toFixed(2),
      first_frame_ms_cold: Math.round(cold.ms),
      first_frame_ms_warm: Math.round(warm.ms),
      warm_bytes_mb: +(warm.bytes / 1e6).toFixed(2),
      track_fps: +best(trackFps).toFixed(2),
      mediapipe_only_fps_same_file: +best(mediapipeFps).toFixed(2),
      track_vs_mediapipe_ratio: +(best(trackFps) / best(mediapipeFps)).toFixed(3),
      track_seconds_total: +trackSeconds.toFixed(1),
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
