/**
 * Headless Chromium for the CLI and the browser tests: a loopback static server with the
 * cross-origin isolation headers threaded WASM needs, and a launcher with the flags this
 * environment needs.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.glb': 'model/gltf-binary',
  '.onnx': 'application/octet-stream',
  '.task': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.css': 'text/css',
  '.map': 'application/json',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 with COOP/COEP (SharedArrayBuffer for threaded WASM) and byte ranges (video seeking). */
export async function serveDirectory(root: string, extraRoutes: Record<string, string> = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const routed = Object.entries(extraRoutes).find(([prefix]) => pathname.startsWith(prefix));
    const file = routed ? join(routed[1], pathname.slice(routed[0].length)) : join(base, normalize(pathname));
    const allowedRoot = routed ? resolve(routed[1]) : base;
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    if (!resolve(file).startsWith(allowedRoot) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const size = statSync(file).size;
    res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Accept-Ranges', 'bytes');
    const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range ?? '');
    if (range) {
      const start = range[1] ? +range[1] : 0;
      const end = range[2] ? Math.min(+range[2], size - 1) : size - 1;
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      res.setHeader('Content-Length', end - start + 1);
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.setHeader('Content-Length', size);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export interface ChromiumOptions {
  /** Feed this .y4m/.mjpeg file as the webcam (getUserMedia succeeds without a prompt). */
  fakeCamera?: string;
  /** Deny camera permission instead of granting it. */
  denyCamera?: boolean;
  /** Enable WebGPU (SwiftShader here: correct, slow). Default true. */
  webgpu?: boolean;
  extraArgs?: string[];
}

/** Debian's Chromium (the Playwright download does not work here), or $CHROMIUM_PATH. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return path;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (options.webgpu !== false) args.push('--enable-unsafe-webgpu');
  if (options.fakeCamera) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCamera}`);
    if (!options.denyCamera) args.push('--use-fake-ui-for-media-stream');
  } else if (options.denyCamera) {
    args.push('--use-fake-device-for-media-stream');
  }
  args.push(...(options.extraArgs ?? []));
  const launch: LaunchOptions = { executablePath: chromiumPath(), headless: true, args };
  return chromium.launch(launch);
}

