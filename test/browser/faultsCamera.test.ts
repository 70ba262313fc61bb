/**
 * Camera faults, live in headless Chromium: permission denied and then granted, no camera at all,
 * the video track ending mid-run (a camera unplugged), and the page hidden and shown again. The
 * tracker must give a typed error the app can act on and stay usable: `start()` again works.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

import type { FaceTracker } from '../../src/index.js';

type Sdk = typeof import('../../src/index.js');
type PageWindow = Window & { pixel3dmm: Sdk; tracker: FaceTracker; log: { errors: { code: string; message: string; name?: unknown }[]; frames: { timeMs: number; receivedMs: number }[]; ended: string[] } };

let fakeCamera: string;
beforeAll(() => {
  // The first 4 s of the video, downscaled, as a Y4M fake webcam (Chromium loops it).
  fakeCamera = join(mkdtempSync(join(tmpdir(), 'p3dmm-cam-')), 'camera.y4m');
  const video = join(repoRoot, 'examples/media/webcam-head-motion.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '4', '-i', video, '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', fakeCamera]);
});

/** Creates `window.tracker` in the page, logging its errors and frames (grab time, time received) in `window.log`. */
async function createTracker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    w.tracker = await w.pixel3dmm.FaceTracker.create({ cache: false });
    w.log = { errors: [], frames: [], ended: [] };
    w.tracker.addEventListener('source-ended', (e) => w.log.ended.push(e.detail.reason));
    w.tracker.addEventListener('error', (e) => w.log.errors.push({ code: e.detail.code, message: e.detail.message, name: e.detail.details.name }));
    w.tracker.addEventListener('frame', (e) => w.log.frames.push({ timeMs: e.detail.timeMs, receivedMs: performance.now() }));
  });
}

/** `start(source)` in the page: 'started' or the rejection's code. */
function startIn(page: Page, source: 'camera' | 'sample-video'): Promise<string> {
  return page.evaluate(async (source) => {
    const w = window as unknown as PageWindow & { playSampleVideo(): Promise<HTMLVideoElement> };
    const arg = source === 'camera' ? undefined : await w.playSampleVideo();
    return w.tracker.start(arg).then(
      () => 'started',
      (e: { code: string }) => e.code,
    );
  }, source);
}

const framesSoFar = (page: Page) => page.evaluate(() => (window as unknown as PageWindow).log.frames.length);

describe('camera permission and presence', () => {
  it('rejects start() with camera-denied, saying how to allow it; once allowed, start() on the same tracker tracks', async () => {
    const session = await startBrowserSession({ fakeCamera, denyCamera: true, webgpu: false });
    try {
      const page = await session.open('/test/browser/pages/blank.html');
      await createTracker(page);
      expect(await startIn(page, 'camera')).toBe('camera-denied');
      const errors = await page.evaluate(() => (window as unknown as PageWindow).log.errors);
      expect(errors).toEqual([{ code: 'camera-denied', name: 'NotAllowedError', message: expect.stringMatching(/denied\. Allow camera access for this site .*then start again/) }]);
      // The user allows the camera (what the browser's prompt or site settings would do).
      await page.context().grantPermissions(['camera'], { origin: session.server.url });
      expect(await startIn(page, 'camera')).toBe('started');
      await expect.poll(() => framesSoFar(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
      await page.evaluate(() => (window as unknown as PageWindow).tracker.dispose());
    } finally {
      await session.close();
    }
  });

  it('rejects start() with camera-missing (NotFoundError) when there is no camera, and tracks a video afterwards', async () => {
    // A fake capture stack with no device: what a machine without a camera reports, here or on CI.
    const session = await startBrowserSession({ webgpu: false, extraArgs: ['--use-fake-device-for-media-stream=device-count=0', '--use-fake-ui-for-media-stream'] });
    try {
      const page = await session.open('/test/browser/pages/blank.html');
      await createTracker(page);
      expect(await startIn(page, 'camera')).toBe('camera-missing');
      const errors = await page.evaluate(() => (window as unknown as PageWindow).log.errors);
      expect(errors).toEqual([{ code: 'camera-missing', name: 'NotFoundError', message: 'No camera was found. Connect a camera (or enable it in the system settings), then start again.' }]);
      expect(await startIn(page, 'sample-video')).toBe('started');
      await expect.poll(() => framesSoFar(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
      await page.evaluate(() => (window as unknown as PageWindow).tracker.dispose());
    } finally {
      await session.close();
    }
  });
});

describe('camera faults while tracking', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startBrowserSession({ fakeCamera, webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  /**
   * A camera unplugged mid-run ends its track: the source goes away and the track fires 'ended'
   * (the page's own `track.stop()` fires nothing). Headless Chromium cannot unplug its fake
   * camera, nor does revoking the permission end the track, so the stream here is a
   * MediaStreamTrackGenerator fed the sample video's frames: closing its writable ends it the
   * way a capture device going away does, with a real 'ended' event.
   */
  it('stops with one camera-ended error when the video track ends mid-run (no hang), and start() works again', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    await createTracker(page);
    const started = await page.evaluate(async () => {
      const w = window as unknown as PageWindow & { playSampleVideo(): Promise<HTMLVideoElement>; endCamera(): Promise<void> };
      const video = await w.playSampleVideo();
      const generator = new (window as unknown as { MediaStreamTrackGenerator: new (init: { kind: 'video' }) => MediaStreamTrack & { writable: WritableStream<VideoFrame> } }).MediaStreamTrackGenerator({ kind: 'video' });
      const writer = generator.writable.getWriter();
      let feeding = true;
      const feed = () => {
        if (!feeding) return;
        void writer.write(new VideoFrame(video)).catch(() => undefined);
        video.requestVideoFrameCallback(feed);
      };
      video.requestVideoFrameCallback(feed);
      w.endCamera = async () => {
        feeding = false;
        await writer.close();
      };
      return w.tracker.start(new MediaStream([generator])).then(
        () => 'started',
        (e: { code: string }) => e.code,
      );
    });
    expect(started).toBe('started');
    await expect.poll(() => framesSoFar(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await page.evaluate(() => (window as unknown as { endCamera(): Promise<void> }).endCamera());
    await expect.poll(() => page.evaluate(() => (window as unknown as PageWindow).log.errors.map((e) => e.code)), { timeout: 5000 }).toEqual(['camera-ended']);
    const { errors, ended: sourceEnded } = await page.evaluate(() => (window as unknown as PageWindow).log);
    expect(sourceEnded).toEqual(['camera-ended']); // the source-ended event a video file's end gives too
    expect(errors[0]!.message).toMatch(/ended .*; tracking stopped\. Reconnect the camera, then call start\(\) again\./);
    // Stopped: no more frames, and start() is allowed again (not 'invalid-state').
    const afterEnd = await framesSoFar(page);
    await page.waitForTimeout(1000);
    expect(await framesSoFar(page)).toBeLessThanOrEqual(afterEnd + 1);
    expect(await startIn(page, 'camera')).toBe('started');
    await expect.poll(() => framesSoFar(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(afterEnd + 5);
    // A stream whose track has already ended is refused at once rather than played forever.
    const ended = await page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      w.tracker.stop();
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      stream.getVideoTracks()[0]!.stop();
      const outcome = w.tracker.start(stream).then(
        () => 'started',
        (e: { code: string }) => e.code,
      );
      const result = await Promise.race([outcome, new Promise((r) => setTimeout(() => r('hung'), 5000))]);
      w.tracker.dispose();
      return result;
    });
    expect(ended).toBe('invalid-input');
    await page.close();
  });

  /**
   * Headless Chromium keeps every page visible: a minimised window, a background tab
   * (Target.createTarget background), Page.setWebLifecycleState 'frozen' (refused for a visible
   * page) all leave `document.visibilityState` 'visible' and video frame callbacks running. So the
   * page is hidden here the way the SDK sees it: `visibilityState` reads 'hidden' and
   * 'visibilitychange' fires, as a browser does when the tab goes to the background. 12 s stand
   * for minutes: nothing in the tracker counts how long the page was hidden.
   */
  it('grabs nothing while the page is hidden, and after it is shown tracks only frames grabbed after that (no stale backlog)', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    await createTracker(page);
    expect(await startIn(page, 'camera')).toBe('started');
    await expect.poll(() => framesSoFar(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
    const setHidden = (hidden: boolean) =>
      page.evaluate((hidden) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
        document.dispatchEvent(new Event('visibilitychange'));
        return performance.now();
      }, hidden);
    const hiddenAt = await setHidden(true);
    await page.waitForTimeout(12_000);
    const shownAt = await setHidden(false);
    await expect.poll(() => page.evaluate((t) => (window as unknown as PageWindow).log.frames.filter((f) => f.receivedMs > t).length, shownAt), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
    const { frames, errors } = await page.evaluate(() => {
      const w = window as unknown as PageWindow;
      w.tracker.dispose();
      return w.log;
    });
    // While hidden: at most the frame that was in the worker when the page was hidden.
    const whileHidden = frames.filter((f) => f.receivedMs > hiddenAt && f.receivedMs < shownAt);
    expect(whileHidden.length).toBeLessThanOrEqual(1);
    expect(whileHidden.every((f) => f.timeMs < hiddenAt)).toBe(true);
    // Shown: every frame delivered was grabbed after the page was shown (none queued from before).
    const afterShown = frames.filter((f) => f.receivedMs > shownAt);
    expect(afterShown.every((f) => f.timeMs >= shownAt)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
