/**
 * The tracker runtime on the real sample video in headless Chromium: the offline `track`
 * command over every frame, the live camera path (the video as a fake webcam), lifecycle and
 * typed errors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPES } from '../../src/core/arkit.js';
import { Take } from '../../src/sdk/record/Take.js';
import { trackVideo } from '../../scripts/cli/track.js';
import type { FrameRecord } from '../../scripts/cli/trackProtocol.js';
import { serveDirectory } from '../../scripts/cli/browser.js';
import { framesBetween, mean, medianLandmarkErrorIod, sampleVideoRollsDeg } from './sampleVideoMeasures.js';
import { repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

const video = join(repoRoot, 'examples/media/webcam-head-motion.mp4');
const arkit = (name: (typeof ARKIT_BLENDSHAPES)[number]) => ARKIT_BLENDSHAPES.indexOf(name);

describe('track command on the real video', () => {
  let records: FrameRecord[];
  let outDir: string;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'p3dmm-track-'));
    await trackVideo(video, outDir, { sheetFrames: 8, smoothing: true });
    records = readFileSync(join(outDir, 'frames.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FrameRecord);
  }, 300_000);

  const window = (from: number, to: number) => framesBetween(records, from, to);

  it('processes every frame in order with exact video times, and finds the face in each', () => {
    expect(records.length).toBe(325); // ffprobe: 325 frames at 30 fps
    records.forEach((r, i) => {
      expect(r.frame).toBe(i);
      expect(r.videoTime).toBeCloseTo(i / 30, 3);
    });
    expect(records.filter((r) => r.face).length).toBeGreaterThanOrEqual(320);
    const csv = readFileSync(join(outDir, 'arkit.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(`frame,videoTime,${ARKIT_BLENDSHAPES.join(',')}`);
    expect(csv.length - 1).toBe(records.filter((r) => r.face).length);
    expect(statSync(join(outDir, 'overlay.png')).size).toBeGreaterThan(50_000);
  });

  it('writes the frames as a take, in the formats a live recording exports', () => {
    const withFace = records.filter((r) => r.face);
    const take = Take.fromJSON(readFileSync(join(outDir, 'take.json'), 'utf8'));
    expect(take.frames.length).toBe(withFace.length);
    // The take's clock is the video's: frame k at k/30 s after the first frame with a face.
    take.frames.forEach((f, i) => expect(f.timeMs).toBeCloseTo((withFace[i]!.videoTime - withFace[0]!.videoTime) * 1000, 3));
    // frames.jsonl rounds to 4 digits and the take keeps float32s: a weight on a rounding half-step differs by just over 5e-5.
    take.frames[100]!.arkit!.forEach((w, k) => expect(Math.abs(w - withFace[100]!.arkit![k]!)).toBeLessThan(6e-5));
    const csv = readFileSync(join(outDir, 'take.csv'), 'utf8').trim().split('\n');
    expect(csv[0]!.split(',').slice(0, 3)).toEqual(['Timecode', 'BlendShapeCount', 'EyeBlinkLeft']);
    expect(csv.length - 1).toBe(withFace.length);
    const glb = readFileSync(join(outDir, 'take.glb'));
    expect(glb.readUInt32LE(0)).toBe(0x46546c67); // 'glTF'
    expect(glb.readUInt32LE(8)).toBe(glb.length);
    const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString('utf8')) as { animations: { name: string }[]; extensionsUsed?: string[] };
    expect(json.animations.map((a) => a.name)).toEqual(['take']);
    expect(json.extensionsUsed).toContain('EXT_meshopt_compression');
  });

  it('fits the model onto MediaPipe\'s points (median error under 2% of the inter-ocular distance)', () => {
    expect(medianLandmarkErrorIod(records)).toBeLessThan(0.02);
  });

  it('shows the head rolls of the video in the pose', () => {
    const { start, first, second } = sampleVideoRollsDeg(records);
    expect(Math.abs(start)).toBeLessThan(8);
    expect(Math.abs(first)).toBeGreaterThan(15);
    expect(Math.abs(second)).toBeGreaterThan(15);
    expect(Math.sign(first)).toBe(-Math.sign(second));
  });

  it('shows the left and right winks in the matching eyeBlink weights', () => {
    const blink = (name: 'eyeBlinkLeft' | 'eyeBlinkRight', from: number, to: number) => mean(window(from, to).map((r) => r.arkit![arkit(name)]!));
    // Seen in the video: 6.85–7.45 s the subject's left eye is shut; 8.45–8.75 s her right eye
    // (in between, at 8.1–8.35 s, she closes both).
    expect(blink('eyeBlinkLeft', 6.85, 7.45)).toBeGreaterThan(0.5);
    expect(blink('eyeBlinkLeft', 6.85, 7.45)).toBeGreaterThan(blink('eyeBlinkRight', 6.85, 7.45) + 0.25);
    expect(blink('eyeBlinkRight', 8.45, 8.75)).toBeGreaterThan(0.5);
    expect(blink('eyeBlinkRight', 8.45, 8.75)).toBeGreaterThan(blink('eyeBlinkLeft', 8.45, 8.75) + 0.25);
    // Both eyes open before and after.
    for (const [from, to] of [[0.4, 0.9], [9.6, 10.8]] as const) {
      expect(blink('eyeBlinkLeft', from, to)).toBeLessThan(0.25);
      expect(blink('eyeBlinkRight', from, to)).toBeLessThan(0.25);
    }
  });

  it('opens the fitted mouth where the lips part', () => {
    // The video's mouth openings are small lip partings (MediaPipe's own jawOpen stays under
    // 0.15): 2.4–3.2 s parted, 4.4–5.6 s closed. The fitted inner-lip gap must follow.
    const gapIod = (p: number[], mp: number[]) => Math.hypot(p[26]! - p[28]!, p[27]! - p[29]!) / Math.hypot(mp[66]! - mp[526]!, mp[67]! - mp[527]!);
    const fitted = (from: number, to: number) => mean(window(from, to).map((r) => gapIod(r.landmarks2d!, r.mediapipeLandmarks2d!)));
    expect(fitted(2.4, 3.2)).toBeGreaterThan(1.5 * fitted(4.4, 5.6));
    const faces = records.filter((r) => r.face);
    const a = faces.map((r) => gapIod(r.landmarks2d!, r.mediapipeLandmarks2d!));
    const b = faces.map((r) => gapIod(r.mediapipeLandmarks2d!, r.mediapipeLandmarks2d!));
    const [ma, mb] = [mean(a), mean(b)];
    const cov = mean(a.map((v, i) => (v - ma) * (b[i]! - mb)));
    const corr = cov / Math.sqrt(mean(a.map((v) => (v - ma) ** 2)) * mean(b.map((v) => (v - mb) ** 2)));
    expect(corr).toBeGreaterThan(0.5);
  });
});

describe('FaceTracker in the page', () => {
  let session: BrowserSession;
  let fakeCamera: string;
  beforeAll(async () => {
    // The first 4 s of the video, downscaled, as a Y4M fake webcam.
    fakeCamera = join(mkdtempSync(join(tmpdir(), 'p3dmm-cam-')), 'camera.y4m');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '4', '-i', video, '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', fakeCamera]);
    session = await startBrowserSession({ fakeCamera, webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  it('tracks the camera live, stops, restarts, and leaves no worker after dispose()', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      const progress: number[] = [];
      const tracker = await FaceTracker.create({ onProgress: (p: { loaded: number }) => progress.push(p.loaded), cache: false });
      const frames: { time: number; yaw: number }[] = [];
      const events: string[] = [];
      tracker.addEventListener('frame', (e: CustomEvent) => frames.push({ time: e.detail.timeMs, yaw: e.detail.pose.yaw }));
      tracker.addEventListener('face-found', () => events.push('face-found'));
      tracker.addEventListener('stats', () => events.push('stats'));
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await tracker.start();
      await sleep(2500);
      tracker.stop();
      const afterFirst = frames.length;
      await sleep(600);
      const afterStop = frames.length;
      await tracker.start();
      await sleep(1500);
      const afterRestart = frames.length;
      const info = tracker.info;
      tracker.dispose();
      return { afterFirst, afterStop, afterRestart, events, progressCalls: progress.length, info };
    });
    expect(result.progressCalls).toBeGreaterThan(2);
    expect(result.afterFirst).toBeGreaterThan(10);
    expect(result.afterStop - result.afterFirst).toBeLessThanOrEqual(1); // at most the frame already in flight
    expect(result.afterRestart).toBeGreaterThan(result.afterStop + 5);
    expect(result.events).toContain('face-found');
    expect(result.events).toContain('stats');
    expect(result.info.landmarks.runtime).toBe('worker');
    expect(result.info.frameTransport).toBe('VideoFrame');
    await expect.poll(() => page.workers().length, { timeout: 5000 }).toBe(0);
  });

  it('reports typed errors for a missing model, a corrupt model and a bad frame, and stays usable', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      const codeOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string; details?: { status?: number }; message: string }) => `${e.code}:${e.details?.status ?? ''}`);
      const messageOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string; message: string }) => `${e.code}:${e.message}`);
      const blobUrl = (bytes: BlobPart) => URL.createObjectURL(new Blob([bytes]));
      const missing = await codeOf(FaceTracker.create({ model: '/models/no-such-model.glb', cache: false }));
      // What came back is checked before it is used: another kind of file, an HTML page, a cut-off download.
      const wrongKind = await messageOf(FaceTracker.create({ model: '/examples/media/webcam-head-motion.mp4', cache: false }));
      const html = await messageOf(FaceTracker.create({ model: '/examples/index.html', cache: false }));
      const glb = new Uint8Array(await (await fetch('/models/face-default.glb')).arrayBuffer());
      const cutOff = await messageOf(FaceTracker.create({ model: blobUrl(glb.slice(0, glb.length >> 1)), cache: false }));
      // A whole .glb that is no face model: the right kind of file, the wrong content.
      const json = new TextEncoder().encode('{"asset":{"version":"2.0"}}  ');
      const plainGlb = new Uint8Array(12 + 8 + json.length);
      const view = new DataView(plainGlb.buffer);
      view.setUint32(0, 0x46546c67, true);
      view.setUint32(4, 2, true);
      view.setUint32(8, plainGlb.length, true);
      view.setUint32(12, json.length, true);
      view.setUint32(16, 0x4e4f534a, true);
      plainGlb.set(json, 20);
      const corrupt = await codeOf(FaceTracker.create({ model: blobUrl(plainGlb), cache: false }));
      const noWorker = await codeOf(FaceTracker.create({ workerUrl: '/dist/no-such-worker.js', cache: false }));
      // Options cross to the worker: a callback in them is refused up front, naming where it is.
      const callback = await FaceTracker.create({ fitter: { weights: { landmarks: (() => 1) as unknown as number } }, cache: false }).then(
        () => 'resolved',
        (e: { code?: string; message: string }) => `${e.code}:${e.message}`,
      );
      const tracker = await FaceTracker.create({ cache: false });
      const bitmap = await createImageBitmap(new ImageData(64, 48));
      bitmap.close(); // a detached frame: unusable input
      const bad = await codeOf(tracker.track(bitmap, 0));
      const video = await (window as unknown as { playSampleVideo(): Promise<HTMLVideoElement> }).playSampleVideo();
      const good = await tracker.track(new VideoFrame(video), 0.1);
      tracker.dispose();
      const afterDispose = await codeOf(tracker.track(new VideoFrame(video), 0.2));
      return { missing, wrongKind, html, cutOff, corrupt, noWorker, callback, bad, goodFound: !!good, afterDispose };
    });
    expect(result.missing).toBe('model-fetch:404');
    expect(result.wrongKind).toMatch(/^model-fetch:Could not use .*webcam-head-motion\.mp4: what came back is not a binary glTF/);
    expect(result.html).toMatch(/^model-fetch:.*index\.html: the server sent an HTML page/);
    expect(result.cutOff).toMatch(/^model-fetch:.*cut off: its header says \d+ bytes, \d+ arrived/);
    expect(result.corrupt).toBe('model-format:');
    expect(result.noWorker).toBe('worker-crashed:');
    expect(result.callback).toMatch(/^invalid-input:options\.fitter\.weights\.landmarks is a function/);
    expect(result.bad).toBe('invalid-input:');
    expect(result.goodFound).toBe(true);
    expect(result.afterDispose).toBe('disposed:');
  });

  it('runs MediaPipe on the main thread when asked (the fallback path) and still tracks', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker, openVideoFile } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      const tracker = await FaceTracker.create({ cache: false, landmarks: 'main-thread' });
      const { frames } = await openVideoFile('/examples/media/webcam-head-motion.mp4');
      let found = 0, seen = 0;
      for await (const { frame, videoTime } of frames()) {
        if ((await tracker.track(frame, videoTime)) !== null) found++;
        if (++seen === 20) break;
      }
      const info = tracker.info;
      tracker.dispose();
      return { found, runtime: info.landmarks.runtime };
    });
    expect(result.runtime).toBe('main-thread');
    expect(result.found).toBe(20);
  });

  it('restarts a crashed worker once, says so, and keeps tracking', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      const tracker = await FaceTracker.create({ cache: false });
      const errors: { code: string; restarted: unknown }[] = [];
      tracker.addEventListener('error', (e) => errors.push({ code: e.detail.code, restarted: e.detail.details.restarted }));
      const video = await (window as unknown as { playSampleVideo(): Promise<HTMLVideoElement> }).playSampleVideo();
      // Simulate an uncaught error in the worker (what a crash looks like from the page).
      const worker = (tracker as unknown as { connection: { worker: Worker } }).connection.worker;
      worker.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
      const frame = await tracker.track(new VideoFrame(video), video.currentTime);
      const restarts = tracker.info.workerRestarts;
      tracker.dispose();
      return { errors, tracked: !!frame, restarts };
    });
    expect(result.errors).toEqual([{ code: 'worker-crashed', restarted: true }]);
    expect(result.restarts).toBe(1);
    expect(result.tracked).toBe(true);
  });

  it('a worker crashing twice: one restart after a back-off, then one final worker-crashed, a disposed tracker, no worker, the take kept', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker, Recorder } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') & typeof import('../../src/record.js') }).pixel3dmm;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const tracker = await FaceTracker.create({ cache: false });
      const errors: { code: string; restarted: unknown; final: unknown; at: number }[] = [];
      tracker.addEventListener('error', (e) => errors.push({ code: e.detail.code, restarted: e.detail.details.restarted, final: e.detail.details.final, at: performance.now() }));
      let frames = 0;
      let firstCrashAt = Infinity;
      let firstFrameAfterCrashAt = 0;
      tracker.addEventListener('frame', () => {
        frames++;
        if (!firstFrameAfterCrashAt && performance.now() > firstCrashAt + 100) firstFrameAfterCrashAt = performance.now();
      });
      const recorder = new Recorder(tracker);
      const video = await (window as unknown as { playSampleVideo(): Promise<HTMLVideoElement> }).playSampleVideo();
      video.loop = true;
      const iterator = tracker.frames();
      await tracker.start(video);
      // Live frames first (a count, not a time: a loaded machine tracks fewer per second).
      for (let t = 0; t < 150 && frames <= 10; t++) await sleep(100);
      // Simulate an uncaught error in the worker (what a crash looks like from the page), live.
      const crash = () => (tracker as unknown as { connection: { worker: Worker } }).connection.worker.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
      const framesBeforeCrash = frames;
      firstCrashAt = performance.now();
      crash();
      await sleep(200);
      const framesDuringBackoff = frames - framesBeforeCrash;
      // The restarted worker initialises again (model, MediaPipe): wait for live frames to come back.
      for (let t = 0; t < 100 && frames - framesBeforeCrash - framesDuringBackoff < 10; t++) await sleep(100);
      const framesAfterRestart = frames - framesBeforeCrash - framesDuringBackoff;
      const resumedAfterMs = firstFrameAfterCrashAt - firstCrashAt;
      const recordedBeforeSecondCrash = recorder.frameCount;
      crash();
      const framesAtSecondCrash = frames;
      await sleep(1500);
      const framesAfterSecondCrash = frames - framesAtSecondCrash;
      const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string; details?: { reason?: string } }) => `rejected:${e.code}:${e.details?.reason}`);
      const startAfter = await outcome(tracker.start(video));
      const trackAfter = await outcome(tracker.track(new VideoFrame(video), 1));
      // The frames() iterator hands out what it still holds (at most 3), then ends: a for-await loop finishes.
      const drain = async () => {
        let held = 0;
        for await (const _ of iterator) held++;
        return held;
      };
      const iteratorDrained = await Promise.race([drain(), sleep(1000).then(() => 'hung')]);
      const take = recorder.stop();
      tracker.dispose();
      return {
        errors: errors.map(({ code, restarted, final }) => ({ code, restarted, final })),
        restarts: tracker.info.workerRestarts,
        framesBeforeCrash, framesDuringBackoff, framesAfterRestart, resumedAfterMs, framesAfterSecondCrash,
        startAfter, trackAfter, iteratorDrained, recordedBeforeSecondCrash, takeFrames: take.frames.length,
      };
    });
    // One restart notice, then the final error: no further error (no loop, no per-frame errors).
    expect(result.errors).toEqual([
      { code: 'worker-crashed', restarted: true, final: false },
      { code: 'worker-crashed', restarted: false, final: true },
    ]);
    expect(result.restarts).toBe(1);
    expect(result.framesBeforeCrash).toBeGreaterThan(10);
    expect(result.framesDuringBackoff).toBeLessThanOrEqual(1); // the back-off: no worker for 500 ms
    expect(result.framesAfterRestart).toBeGreaterThanOrEqual(10); // the restarted worker tracks live again
    expect(result.resumedAfterMs).toBeGreaterThanOrEqual(500);
    console.log(`live frames resumed ${Math.round(result.resumedAfterMs)} ms after the first crash`);
    expect(result.framesAfterSecondCrash).toBe(0); // frames stop
    expect(result.startAfter).toBe('rejected:disposed:worker-crashed');
    expect(result.trackAfter).toBe('rejected:disposed:worker-crashed');
    expect(result.iteratorDrained).toBeLessThanOrEqual(3);
    // The recording keeps every frame from before the final crash.
    expect(result.takeFrames).toBe(result.recordedBeforeSecondCrash);
    expect(result.takeFrames).toBeGreaterThan(result.framesBeforeCrash);
    await expect.poll(() => page.workers().length, { timeout: 5000 }).toBe(0);
  });

  it('caches only verified files: a deployment that served HTML recovers once fixed, and a cached file is revalidated', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const glb = readFileSync(join(repoRoot, 'models/face-default.glb'));
    // The model's URL answers first with a dev server's fallback page, then with the file (ETag v1), then 304.
    const served: string[] = [];
    await page.route('**/cached-model.glb', async (route) => {
      const revalidating = route.request().headers()['if-none-match'] === '"v1"';
      served.push(revalidating ? '304' : served.length === 0 ? 'html' : 'glb');
      if (revalidating) return route.fulfill({ status: 304, headers: { ETag: '"v1"' } });
      if (served.length === 1) return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html><body>app</body></html>' });
      return route.fulfill({ status: 200, contentType: 'model/gltf-binary', headers: { ETag: '"v1"' }, body: glb });
    });
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      await caches.delete('pixel3dmm-web-assets-v2');
      const attempt = () =>
        FaceTracker.create({ model: '/cached-model.glb' }).then(
          (t) => (t.dispose(), 'created'),
          (e: { code: string }) => e.code,
        );
      const fromCache: boolean[] = [];
      const progress = (p: { url: string; fromCache: boolean; loaded: number; total: number }) => p.url.endsWith('cached-model.glb') && p.loaded === p.total && fromCache.push(p.fromCache);
      const broken = await attempt();
      const fixed = await attempt();
      const again = await FaceTracker.create({ model: '/cached-model.glb', onProgress: progress }).then((t) => (t.dispose(), 'created'));
      return { broken, fixed, again, fromCache };
    });
    expect(result).toEqual({ broken: 'model-fetch', fixed: 'created', again: 'created', fromCache: [true] });
    expect(served).toEqual(['html', 'glb', '304']);
  });

  it('loads every package file from another origin with assetBaseUrl (as from a CDN), and tracks', async () => {
    const cdn = await serveDirectory(repoRoot, {}, { crossOrigin: true });
    try {
      const page = await session.open('/test/browser/pages/blank.html');
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      const found = await page.evaluate(async (base) => {
        const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
        const tracker = await FaceTracker.create({ assetBaseUrl: base, cache: false });
        const video = await (window as unknown as { playSampleVideo(): Promise<HTMLVideoElement> }).playSampleVideo();
        const frame = await tracker.track(new VideoFrame(video), 0.1);
        tracker.dispose();
        return !!frame;
      }, `${cdn.url}/`);
      expect(found).toBe(true);
      const packageFiles = requested.filter((u) => /\/(models\/|dist\/(tracking-worker|mediapipe-wasm))/.test(u));
      expect(packageFiles.length).toBeGreaterThanOrEqual(4); // model, task, MediaPipe's binary and loader (and the worker where the page sees it)
      expect(packageFiles.filter((u) => !u.startsWith(cdn.url))).toEqual([]);
    } finally {
      await cdn.close();
    }
  });

  it('rejects start() with camera-denied when the page may not use the camera', async () => {
    const denied = await startBrowserSession({ fakeCamera, denyCamera: true, webgpu: false });
    try {
      const page = await denied.open('/test/browser/pages/blank.html');
      const code = await page.evaluate(async () => {
        const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
        const tracker = await FaceTracker.create({ cache: false });
        const errors: string[] = [];
        tracker.addEventListener('error', (e: CustomEvent) => errors.push(e.detail.code));
        const code = await tracker.start().then(() => 'started', (e: { code: string }) => e.code);
        tracker.dispose();
        return `${code}/${errors.join(',')}`;
      });
      expect(code).toBe('camera-denied/camera-denied');
    } finally {
      await denied.close();
    }
  });
});
