/**
 * Headless Chromium for the CLI and the browser tests: a loopback static server with the
 * cross-origin isolation headers threaded WASM needs, and a launcher with the flags this
 * environment needs.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, extname, join, normalize, resolve } from 'node:path';
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

/**
 * Serves `root` on 127.0.0.1 with COOP/COEP (SharedArrayBuffer for threaded WASM) and byte
 * ranges (video seeking). `crossOrigin`: also to pages of other origins (CORS, as a CDN serves).
 */
export async function serveDirectory(root: string, extraRoutes: Record<string, string> = {}, options: { crossOrigin?: boolean } = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const routed = Object.entries(extraRoutes).find(([prefix]) => pathname.startsWith(prefix));
    const file = routed ? join(routed[1], pathname.slice(routed[0].length)) : join(base, normalize(pathname));
    const allowedRoot = routed ? resolve(routed[1]) : base;
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', options.crossOrigin ? 'cross-origin' : 'same-origin');
    if (options.crossOrigin) res.setHeader('Access-Control-Allow-Origin', '*');
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

/** Where Chrome, Chromium and Edge install themselves, per platform, in the order tried. */
function browserCandidates(): string[] {
  const env = process.env;
  if (process.platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    return [...apps.map((a) => `/Applications/${a}`), ...apps.map((a) => `${homedir()}/Applications/${a}`)];
  }
  if (process.platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    const apps = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe', 'Chromium\\Application\\chrome.exe'];
    return roots.flatMap((root) => apps.map((a) => `${root}\\${a}`));
  }
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge', 'microsoft-edge-stable'];
  const dirs = (env.PATH ?? '/usr/bin').split(delimiter).concat('/snap/bin', '/opt/google/chrome');
  return dirs.flatMap((d) => names.map((n) => join(d, n))).concat('/opt/google/chrome/chrome');
}

/** The command that installs a browser this CLI can drive, on this platform. */
function installHint(): string {
  if (process.platform === 'linux') return 'sudo apt-get install chromium   (Debian; Ubuntu: sudo snap install chromium; Fedora: sudo dnf install chromium), or: npx playwright-core install chromium';
  if (process.platform === 'darwin') return 'brew install --cask google-chrome   (or: npx playwright-core install chromium)';
  return 'winget install Google.Chrome   (or: npx playwright-core install chromium)';
}

/**
 * A Chrome, Chromium or Edge to drive: $CHROMIUM_PATH when set, else the first installed one
 * (then Playwright's own download, where `npx playwright-core install chromium` put one).
 * Throws an error saying how to install one when there is none.
 */
export function findBrowser(): string {
  const forced = process.env.CHROMIUM_PATH;
  if (forced) {
    if (!existsSync(forced)) throw new Error(`CHROMIUM_PATH is ${forced}, which does not exist. Point it at a Chrome, Chromium or Edge executable, or unset it.`);
    return forced;
  }
  const found = browserCandidates().find((p) => existsSync(p) && statSync(p).isFile());
  if (found) return found;
  const managed = chromium.executablePath();
  if (managed && existsSync(managed)) return managed;
  throw new Error(`No Chrome, Chromium or Edge found (or set CHROMIUM_PATH). Install one with:\n  ${installHint()}`);
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
  const launch: LaunchOptions = { executablePath: findBrowser(), headless: true, args };
  return chromium.launch(launch);
}

