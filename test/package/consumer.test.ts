/**
 * The package as a user gets it: `npm pack`, installed into a fresh Vite + TypeScript app whose
 * main module is README's "In your app" block, type-checked and built, then run in headless
 * Chromium with the sample video as the camera in Vite's dev server, in `vite preview` (the
 * production build) and in a plain static page with an import map. And the installed CLI.
 * Needs the npm registry (to install Vite, TypeScript and three) and a built dist/.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serveDirectory } from '../../scripts/cli/browser.js';
import { repoRoot } from '../browser/harness.js';
import { createConsumerApp, packTarball } from './consumerApp.js';

interface RunResult {
  frames: number;
  errors: string[];
  take: { frames: number; csvRows: number; glbBytes: number };
  /** Responses that failed (4xx/5xx) or brought an HTML page where a file was asked for. */
  badResponses: string[];
  pageErrors: string[];
}

/** Opens `url`, waits for frames, records a take and exports it. */
async function runApp(browser: Browser, url: string): Promise<RunResult> {
  const page: Page = await browser.newPage();
  const badResponses: string[] = [], pageErrors: string[] = [];
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path === '/favicon.ico') return;
    const html = /text\/html/.test(r.headers()['content-type'] ?? '');
    if (r.status() >= 400 || (html && /\.(js|mjs|wasm|glb|task|onnx)$/.test(path))) badResponses.push(`${r.status()} ${html ? 'text/html ' : ''}${path}`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await page.goto(url);
    // A dev server may reload the page once while it optimizes dependencies: wait on the page that stays.
    for (let attempt = 0; ; attempt++) {
      try {
        await page.waitForFunction(() => (window as unknown as { consumerProbe?: { frames: number } }).consumerProbe?.frames! >= 15, undefined, { timeout: 90_000 });
        break;
      } catch (error) {
        if (attempt > 0 || !/context was destroyed|navigation/i.test(String(error))) throw error;
      }
    }
    const result = await page.evaluate(async () => {
      const probe = (window as unknown as { consumerProbe: { frames: number; errors: string[]; exportTake(): Promise<RunResult['take']> } }).consumerProbe;
      return { frames: probe.frames, errors: probe.errors, take: await probe.exportTake() };
    });
    return { ...result, badResponses, pageErrors };
  } finally {
    await page.close();
  }
}

/** Starts `npx vite …` in `dir` and resolves with its URL once it listens. */
async function startVite(dir: string, args: string[]): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn('npx', ['vite', ...args, '--port', '0', '--host', '127.0.0.1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite ${args.join(' ')} did not start: ${output}`)), 60_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const found = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(output.replace(/\x1b\[[0-9;]*m/g, ''));
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`vite ${args.join(' ')} exited (${code}): ${output}`)));
  });
  return { url, process: child };
}

function expectTracked(result: RunResult): void {
  expect(result.pageErrors).toEqual([]);
  expect(result.badResponses).toEqual([]);
  expect(result.errors).toEqual([]);
  expect(result.frames).toBeGreaterThanOrEqual(15);
  expect(result.take.frames).toBeGreaterThanOrEqual(10);
  expect(result.take.csvRows).toBe(result.take.frames);
  expect(result.take.glbBytes).toBeGreaterThan(100_000);
}

const sample = join(repoRoot, 'examples/media/webcam-head-motion.mp4');

describe('the packed package in a fresh app', () => {
  let app: string;
  let browser: Browser;
  const stop: (() => unknown)[] = [];

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'p3dmm-consumer-'));
    app = createConsumerApp(work, packTarball(work));
    const camera = join(work, 'camera.y4m');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '4', '-i', sample, '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', camera]);
    browser = await launchChromium({ fakeCamera: camera, webgpu: false });
    stop.push(() => rmSync(work, { recursive: true, force: true }));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of stop.reverse()) await s();
  });

  it('type-checks README\'s app against the package\'s declarations, and builds it with Vite', () => {
    execFileSync('npx', ['tsc', '-p', '.'], { cwd: app, stdio: 'pipe' });
    execFileSync('npx', ['vite', 'build'], { cwd: app, stdio: 'pipe' });
    const assets = readdirSync(join(app, 'dist/assets'));
    // The files the package loads at run time were found and copied into the build.
    for (const file of [/^tracking-worker-.*\.js$/, /^vision_wasm_module_internal-.*\.wasm$/, /^face_landmarker-.*\.task$/, /^face-default-.*\.glb$/]) {
      expect(assets.some((a) => file.test(a)), String(file)).toBe(true);
    }
  }, 120_000);

  it('tracks in the production build (vite preview)', async () => {
    const server = await startVite(app, ['preview']);
    stop.push(() => server.process.kill());
    expectTracked(await runApp(browser, `${server.url}/`));
  }, 180_000);

  it('tracks in the dev server', async () => {
    const server = await startVite(app, []);
    stop.push(() => server.process.kill());
    expectTracked(await runApp(browser, `${server.url}/`));
  }, 180_000);

  it('tracks in a plain page with README\'s import map (no bundler)', async () => {
    const server = await serveDirectory(app);
    stop.push(() => server.close());
    expectTracked(await runApp(browser, `${server.url}/static.html`));
  }, 180_000);

  it('installs a CLI that starts: usage, and track (with --video) on one second of the sample video', () => {
    const cli = (args: string[]) => {
      try {
        return { code: 0, out: execFileSync('npx', ['pixel3dmm-web', ...args], { cwd: app, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (error) {
        const e = error as { status: number; stdout: string; stderr: string };
        return { code: e.status, out: `${e.stdout}${e.stderr}` };
      }
    };
    expect(cli(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('npx pixel3dmm-web track <video>') });
    expect(cli([])).toMatchObject({ code: 2, out: expect.stringContaining('Usage:') });
    // The importers load from the installed package too (their readers are bundled into the CLI).
    writeFileSync(join(app, 'page.ckpt'), '<!doctype html>');
    expect(cli(['import-pixel3dmm', 'page.ckpt', 'page.ckpt'])).toMatchObject({ code: 1, out: expect.stringContaining('[prior-format] page.ckpt is not a PyTorch checkpoint') });
    expect(cli(['import-flame', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('usage: npx pixel3dmm-web import-flame') });
    const clip = join(app, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', sample, '-frames:v', '30', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    const track = cli(['track', clip, '--out', 'out', '--video']);
    expect(track.code, track.out).toBe(0);
    const lines = readFileSync(join(app, 'out/frames.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(30);
    for (const file of ['arkit.csv', 'overlay.png', 'take.json', 'take.csv', 'take.glb']) expect(existsSync(join(app, 'out', file)), file).toBe(true);
    // The overlay video's drawing and encoding (a chunk beside the page) ship in the package too.
    const probe = ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(app, 'out/overlay.mp4')];
    expect(execFileSync('ffprobe', probe, { encoding: 'utf8' }).trim()).toBe('30');
  }, 180_000);
});
