/**
 * The tracker under API misuse and careless consumers, live on the real sample video (a fake
 * webcam) in headless Chromium: a slow `frames()` consumer, listeners that throw, start/stop/track
 * out of order, and calls after dispose().
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

type Sdk = typeof import('../../src/index.js');

describe('FaceTracker misuse and slow consumers', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    // The first 4 s of the video, downscaled, as a Y4M fake webcam (Chromium loops it).
    const fakeCamera = join(mkdtempSync(join(tmpdir(), 'p3dmm-cam-')), 'camera.y4m');
    const video = join(repoRoot, 'examples/media/webcam-head-motion.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '4', '-i', video, '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', fakeCamera]);
    session = await startBrowserSession({ fakeCamera, webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  it('frames(): a consumer taking 500 ms per frame holds at most 3 frames, gets recent ones, and the drops are counted in stats', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: Sdk }).pixel3dmm;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const tracker = await FaceTracker.create({ cache: false });
      let emitted = 0;
      tracker.addEventListener('frame', () => emitted++);
      const stats: { framesDroppedByConsumers: number }[] = [];
      tracker.addEventListener('stats', (e) => stats.push(e.detail));
      const streams = (tracker as unknown as { streams: { maxHeld: number; dropped: number } }).streams;
      const ages: number[] = [];
      let consumed = 0;
      const consumer = (async () => {
        for await (const frame of tracker.frames()) {
          consumed++;
          ages.push(performance.now() - frame.timeMs);
          await sleep(500);
        }
        return 'ended';
      })();
      await tracker.start();
      await sleep(4500);
      const agesLive = [...ages];
      tracker.stop();
      await sleep(300); // the frame in flight
      const atStop = { emitted, consumed, dropped: streams.dropped, maxHeld: streams.maxHeld, agesLive };
      tracker.dispose();
      // The iterator ends after dispose (once it has handed out what it held), never hangs.
      const ended = await Promise.race([consumer, sleep(5000).then(() => 'hung')]);
      const afterDispose = await Promise.race([tracker.frames().next(), sleep(1000).then(() => 'hung')]);
      return { ...atStop, consumedAll: consumed, stats, ended, afterDispose };
    });
    // The tracker ran at full rate; the consumer read about one frame in 500 ms.
    expect(result.emitted).toBeGreaterThan(30);
    expect(result.consumed).toBeLessThanOrEqual(11);
    expect(result.maxHeld).toBeLessThanOrEqual(3);
    expect(result.maxHeld).toBe(3);
    // Every frame was either read, dropped, or is still held (at most 3).
    const held = result.emitted - result.consumed - result.dropped;
    expect(held).toBeGreaterThanOrEqual(0);
    expect(held).toBeLessThanOrEqual(3);
    // Newest wins: while live, each frame read is at most 3 frames plus the pipeline's latency old, not a backlog.
    expect(result.agesLive.length).toBeGreaterThan(5);
    // (A backlog would age by ~500 ms per frame read, to seconds by the end; the bound leaves room for a loaded machine's latency.)
    expect(Math.max(...result.agesLive)).toBeLessThan(1500);
    const last = result.stats.at(-1)!;
    expect(last.framesDroppedByConsumers).toBeGreaterThan(10);
    expect(last.framesDroppedByConsumers).toBeLessThanOrEqual(result.dropped);
    expect(result.ended).toBe('ended');
    expect(result.consumedAll - result.consumed).toBeLessThanOrEqual(3);
    expect(result.afterDispose).toEqual({ done: true });
  });

  it('a frame listener that throws is reported once (listener-error) and tracking goes on', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: Sdk }).pixel3dmm;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const tracker = await FaceTracker.create({ cache: false });
      let thrown = 0;
      const broken = () => {
        thrown++;
        throw new Error('bug in the app');
      };
      tracker.addEventListener('frame', broken);
      let frames = 0;
      let framesAtFirstError = -1;
      tracker.addEventListener('frame', () => frames++);
      const errors: { code: string; message: string; event: unknown; cause: string }[] = [];
      tracker.addEventListener('error', (e) => {
        if (framesAtFirstError < 0) framesAtFirstError = frames;
        errors.push({ code: e.detail.code, message: e.detail.message, event: e.detail.details.event, cause: String((e.detail.cause as Error)?.message) });
      });
      await tracker.start();
      await sleep(3000);
      // Removing the listener removes it (the tracker wraps it).
      tracker.removeEventListener('frame', broken);
      const thrownAtRemove = thrown;
      await sleep(500);
      tracker.dispose();
      return { thrown, thrownAtRemove, frames, framesAtFirstError, errors };
    });
    expect(result.thrown).toBeGreaterThan(10);
    expect(result.thrown).toBe(result.thrownAtRemove);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ code: 'listener-error', event: 'frame', cause: 'bug in the app' });
    expect(result.errors[0]!.message).toMatch(/'frame' event listener threw \(bug in the app\)/);
    expect(result.frames - result.framesAtFirstError).toBeGreaterThan(10);
  });

  it('start() twice, stop() before start(), track() while live, and every call after dispose(): a typed error or a no-op', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: Sdk }).pixel3dmm;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const outcome = (p: Promise<unknown>, ms = 5000) =>
        Promise.race([
          p.then(
            (v) => (v === undefined ? 'resolved' : v === null ? 'null' : 'frame'),
            (e: { code?: string }) => `rejected:${e.code}`,
          ),
          sleep(ms).then(() => 'hung'),
        ]);
      const tracker = await FaceTracker.create({ cache: false });
      const errors: string[] = [];
      tracker.addEventListener('error', (e) => errors.push(e.detail.code));
      let frames = 0;
      tracker.addEventListener('frame', () => frames++);
      const video = await (window as unknown as { playSampleVideo(): Promise<HTMLVideoElement> }).playSampleVideo();

      let stopBeforeStart = 'no-op';
      try {
        tracker.stop();
        tracker.stop();
      } catch (e) {
        stopBeforeStart = `threw:${(e as { code?: string }).code}`;
      }
      // Two start() calls without waiting: the second is refused, the first tracks.
      const first = tracker.start();
      const second = await outcome(tracker.start());
      const firstResult = await outcome(first);
      const startWhileLive = await outcome(tracker.start(video));
      const trackWhileLive = await outcome(tracker.track(new VideoFrame(video), video.currentTime));
      await sleep(1500);
      const pumps = frames;
      tracker.stop();
      await sleep(300);
      // Stopped: offline tracking works again.
      const trackAfterStop = await outcome(tracker.track(new VideoFrame(video), video.currentTime));
      // stop() while start() waits for the camera: start resolves without tracking.
      const starting = tracker.start();
      tracker.stop();
      const stoppedWhileStarting = await outcome(starting);
      const framesBefore = frames;
      await sleep(800);
      const framesWhileStoppedStarting = frames - framesBefore;

      // dispose() while a track() call is in flight: it rejects with `disposed` instead of hanging.
      // Three calls queue in the worker; 10 ms later the last is surely still there.
      const calls = [0, 1, 2].map(() => tracker.track(new VideoFrame(video), video.currentTime));
      calls.slice(0, 2).forEach((c) => c.catch(() => undefined));
      const inFlight = calls[2]!;
      await sleep(10);
      tracker.dispose();
      const trackInFlight = await outcome(inFlight);
      const startAfterDispose = await outcome(tracker.start(video));
      const trackAfterDispose = await outcome(tracker.track(new VideoFrame(video), 1));
      let stopAfterDispose = 'no-op';
      try {
        tracker.stop();
        tracker.dispose();
      } catch (e) {
        stopAfterDispose = `threw:${(e as { code?: string }).code}`;
      }
      const framesAfterDispose = await outcome(tracker.frames().next().then((r) => (r.done ? undefined : r.value)), 1000);
      return {
        stopBeforeStart, second, firstResult, startWhileLive, trackWhileLive, pumps, trackAfterStop, stoppedWhileStarting,
        framesWhileStoppedStarting, trackInFlight, startAfterDispose, trackAfterDispose, stopAfterDispose, framesAfterDispose, errors,
      };
    });
    expect(result).toEqual({
      stopBeforeStart: 'no-op',
      second: 'rejected:invalid-state',
      firstResult: 'resolved',
      startWhileLive: 'rejected:invalid-state',
      trackWhileLive: 'rejected:invalid-state',
      pumps: result.pumps,
      trackAfterStop: 'frame',
      stoppedWhileStarting: 'resolved',
      framesWhileStoppedStarting: 0,
      trackInFlight: 'rejected:disposed',
      startAfterDispose: 'rejected:disposed',
      trackAfterDispose: 'rejected:disposed',
      stopAfterDispose: 'no-op',
      framesAfterDispose: 'resolved',
      errors: [],
    });
    expect(result.pumps).toBeGreaterThan(10);
    await expect.poll(() => page.workers().length, { timeout: 5000 }).toBe(0);
  });

  it('no event after dispose(): disposing in a face-found listener stops the frame event that would follow', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker } = (window as unknown as { pixel3dmm: Sdk }).pixel3dmm;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const tracker = await FaceTracker.create({ cache: false });
      const events: string[] = [];
      for (const type of ['frame', 'face-found', 'face-lost', 'stats', 'error'] as const) tracker.addEventListener(type, () => events.push(type));
      tracker.addEventListener('face-found', () => tracker.dispose());
      await tracker.start();
      await sleep(2500);
      // Listeners added after dispose() are a no-op: nothing is ever dispatched.
      tracker.addEventListener('frame', () => events.push('late frame'));
      await sleep(1200);
      return events;
    });
    // (A stats event may come before the first face is found.)
    expect(result).toContain('face-found');
    expect(result.slice(result.indexOf('face-found'))).toEqual(['face-found']);
  });
});
