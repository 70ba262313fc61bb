/**
 * `pixel3dmm-web track <video> --out <dir>`: runs the SDK in headless Chromium over every frame
 * of a video file and writes frames.jsonl, arkit.csv, overlay.png, the take (take.json,
 * take.csv, take.glb: what a live recording exports) and, with --video, overlay.mp4.
 */
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ARKIT_BLENDSHAPES } from '../../src/core/arkit.js';
import { TrackerError, type TrackerErrorCode } from '../../src/core/errors.js';
import type { Browser } from 'playwright-core';
import { launchChromium, serveDirectory } from './browser.js';
import { packageRoot } from './packageRoot.js';
import type { FrameRecord, TrackPageOptions, TrackPageResult, TrackProgress } from './trackProtocol.js';

export async function trackCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      model: { type: 'string' },
      'sheet-frames': { type: 'string', default: '12' },
      'no-smoothing': { type: 'boolean', default: false },
      video: { type: 'boolean', default: false },
    },
  });
  const video = positionals[0];
  if (!video || !values.out) throw new Error('usage: pixel3dmm-web track <video.mp4> --out <dir> [--model face.glb] [--sheet-frames 12] [--no-smoothing] [--video]');
  const videoPath = resolve(video);
  if (!existsSync(videoPath)) throw new Error(`No such video file: ${videoPath}`);
  const outDir = resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  const result = await trackVideo(videoPath, outDir, {
    modelPath: values.model ? resolve(values.model) : undefined,
    sheetFrames: Math.max(1, Number(values['sheet-frames'])),
    smoothing: !values['no-smoothing'],
    video: values.video,
  });
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K'); // the progress line
  const written = ['frames.jsonl', 'arkit.csv', 'overlay.png', ...(result.take ? ['take.json', ...(result.take.csv ? ['take.csv'] : []), 'take.glb'] : []), ...(result.video ? [`overlay.mp4 (${result.video.codec})`] : [])];
  console.log(
    `Tracked ${result.framesWithFace}/${result.frames} frames of ${basename(videoPath)} (${result.width}x${result.height}) at ${(result.frames / result.trackingSeconds).toFixed(1)} fps ` +
      `(${result.seconds.toFixed(1)} s with start-up and exports).\nWrote ${written.map((f) => `${outDir}/${f}`).join(', ')}`,
  );
}

export interface TrackVideoOptions {
  modelPath?: string;
  sheetFrames: number;
  smoothing: boolean;
  /** Also write overlay.mp4: the fit drawn over every frame, at the video's frame rate. */
  video?: boolean;
  /** Called with each frame record as it arrives. */
  onFrame?: (record: FrameRecord) => void;
  /** Called every few frames (default: a progress line on the terminal). */
  onProgress?: (progress: TrackProgress) => void;
  /** Run in this browser (left open) instead of launching one: a benchmark compares runs in one browser. */
  browser?: Browser;
}

/** Tracks `videoPath` in headless Chromium; writes the outputs into `outDir`. */
export async function trackVideo(videoPath: string, outDir: string, options: TrackVideoOptions): Promise<TrackPageResult> {
  const routes: Record<string, string> = { '/__input/': dirname(videoPath) };
  if (options.modelPath) routes['/__model/'] = dirname(options.modelPath);
  // The browser first: without one there is nothing to serve (and no server left open to hang on).
  // WebGL (the overlay's, and MediaPipe's in the worker): where there is no GPU, Chrome 137+ falls back to SwiftShader only when allowed to.
  const browser = options.browser ?? (await launchChromium({ webgpu: false, extraArgs: ['--enable-unsafe-swiftshader'] }));
  const closeBrowser = () => (options.browser ? Promise.resolve() : browser.close());
  const server = await serveDirectory(packageRoot(), routes).catch(async (error) => {
    await closeBrowser();
    throw error;
  });
  const jsonl = createWriteStream(`${outDir}/frames.jsonl`);
  const csv = createWriteStream(`${outDir}/arkit.csv`);
  csv.write(`frame,videoTime,${ARKIT_BLENDSHAPES.join(',')}\n`);
  const progress = options.onProgress ?? terminalProgress();
  let videoFile: number | undefined;
  const page = await browser.newPage();
  try {
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.exposeFunction('emitFrames', (records: FrameRecord[]) => {
      for (const record of records) {
        jsonl.write(`${JSON.stringify(record)}\n`);
        if (record.arkit) csv.write(`${record.frame},${record.videoTime.toFixed(6)},${record.arkit.join(',')}\n`);
        options.onFrame?.(record);
      }
    });
    await page.exposeFunction('emitProgress', progress);
    // The MP4 arrives in chunks at byte offsets (its index last, over the start): written in place.
    if (options.video) videoFile = openSync(`${outDir}/overlay.mp4`, 'w');
    await page.exposeFunction('emitVideoBytes', (position: number, base64: string) => {
      const bytes = Buffer.from(base64, 'base64');
      writeSync(videoFile!, bytes, 0, bytes.length, position);
    });
    await page.goto(`${server.url}/dist/track.html`);
    await page.waitForFunction(() => typeof window.runTrack === 'function', undefined, { timeout: 30_000 }).catch(() => {
      throw new Error(`The tracking page did not load (is dist/ built? run \`npm run build\`). ${pageErrors.join(' ')}`);
    });
    const pageOptions: TrackPageOptions = {
      videoUrl: `/__input/${encodeURIComponent(basename(videoPath))}`,
      sheetFrames: options.sheetFrames,
      smoothing: options.smoothing,
      video: !!options.video,
      ...(options.modelPath ? { modelUrl: `/__model/${encodeURIComponent(basename(options.modelPath))}` } : {}),
    };
    const result = await page.evaluate((o) => window.runTrack(o), pageOptions).catch((error: Error) => {
      throw pageError(error);
    });
    writeFileSync(`${outDir}/overlay.png`, Buffer.from(result.overlayPng.split(',')[1]!, 'base64'));
    if (result.take) {
      writeFileSync(`${outDir}/take.json`, result.take.json);
      if (result.take.csv) writeFileSync(`${outDir}/take.csv`, result.take.csv);
      writeFileSync(`${outDir}/take.glb`, Buffer.from(result.take.glb.split(',')[1]!, 'base64'));
    }
    return result;
  } finally {
    await new Promise((r) => jsonl.end(r));
    await new Promise((r) => csv.end(r));
    if (videoFile !== undefined) closeSync(videoFile);
    await page.close();
    await closeBrowser();
    await server.close();
  }
}

/** Progress on the terminal: one line kept up to date on a TTY, a line every 50 frames otherwise (logs, CI). */
function terminalProgress(): (p: TrackProgress) => void {
  const tty = process.stdout.isTTY;
  let lastLine = 0;
  return ({ frames, frameCount, seconds }) => {
    const fps = frames / Math.max(seconds, 1e-3);
    const eta = frameCount > frames ? ` · ETA ${Math.ceil((frameCount - frames) / fps)} s` : '';
    const line = `frame ${frames}/${frameCount} · ${fps.toFixed(1)} fps${eta}`;
    if (tty) process.stdout.write(`\r${line}\x1b[K${frames >= frameCount ? '\n' : ''}`);
    else if (frames - lastLine >= 50 || frames >= frameCount) {
      lastLine = frames;
      console.log(line);
    }
  };
}

/**
 * An error thrown in the page as the page threw it: its first line, without Playwright's prefix
 * or the page's stack, and a `TrackerError` again when it was one ("[code] message").
 */
function pageError(error: Error): Error {
  const line = error.message.replace(/^page\.evaluate: (Error: )?/, '').split('\n')[0]!;
  const typed = /^\[([a-z-]+)\] (.*)$/.exec(line);
  return typed ? new TrackerError(typed[1] as TrackerErrorCode, typed[2]!) : new Error(line);
}
