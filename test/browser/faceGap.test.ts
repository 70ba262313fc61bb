/**
 * No face for a minute, then a face again (issue 14, inputs): a clip made here with ffmpeg — 2 s of
 * the sample video, 60 s of black, then 3 s more of the sample video — tracked offline
 * (`openVideoFile` + `tracker.track`, every frame) in headless Chromium. The tracker must say
 * `face-lost` once at the gap and `face-found` once after it, re-initialise the pose on the first
 * face frame after the gap (landing on MediaPipe's points as well as before the gap) and keep the
 * identity it had estimated (the same tracker, the same person), with no error events.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

type Sdk = typeof import('../../src/index.js');

const BEFORE_S = 2;
const GAP_S = 60;
const AFTER_S = 3;

describe('a face that leaves for a minute and comes back', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    // Downscaled to 540×360 so that the 1,800 black frames decode and track quickly.
    const video = join(repoRoot, 'examples/media/webcam-head-motion.mp4');
    execFileSync('ffmpeg', [
      '-v', 'error', '-y', '-i', video,
      '-f', 'lavfi', '-i', `color=c=black:s=540x360:r=30:d=${GAP_S}`,
      '-filter_complex',
      '[0:v]scale=540:360,setsar=1,fps=30,split=2[v1][v2];' +
        `[v1]trim=0:${BEFORE_S},setpts=PTS-STARTPTS[a];` +
        `[v2]trim=${BEFORE_S}:${BEFORE_S + AFTER_S},setpts=PTS-STARTPTS[c];` +
        '[1:v]setsar=1[b];[a][b][c]concat=n=3:v=1:a=0,format=yuv420p[v]',
      '-map', '[v]', '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30',
      join(artifactsDir, 'face-gap.mp4'),
    ]);
    session = await startBrowserSession({ webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  it('face-lost once at the gap, face-found once after it with a re-initialised fit on the landmarks, identity kept, no errors', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker, openVideoFile } = (window as unknown as { pixel3dmm: Sdk }).pixel3dmm;
      const tracker = await FaceTracker.create({ cache: false });
      const events: { type: string; t: number }[] = [];
      const errors: string[] = [];
      tracker.addEventListener('face-lost', (e) => events.push({ type: 'face-lost', t: e.detail.videoTime }));
      tracker.addEventListener('face-found', (e) => events.push({ type: 'face-found', t: e.detail.videoTime }));
      tracker.addEventListener('error', (e) => errors.push(`${e.detail.code}: ${e.detail.message}`));
      const frames: { t: number; face: boolean; rms: number; reinit: boolean; frozen: boolean; identity: number[] }[] = [];
      const { frames: decoded } = await openVideoFile('/test-results/face-gap.mp4');
      const t0 = performance.now();
      for await (const { frame, videoTime } of decoded()) {
        const f = await tracker.track(frame, videoTime);
        frame.close();
        frames.push({
          t: videoTime,
          face: !!f,
          rms: f?.fit.landmarkRmsPx ?? NaN,
          reinit: f?.fit.reinitialised ?? false,
          frozen: f?.fit.identityFrozen ?? false,
          identity: f ? Array.from(f.identity) : [],
        });
      }
      const ms = performance.now() - t0;
      tracker.dispose();
      return { events, errors, frames, ms };
    });
    const { events, errors, frames } = result;
    console.log(`face gap: ${frames.length} frames in ${(result.ms / 1000).toFixed(1)} s`);
    expect(errors).toEqual([]);
    expect(frames.length).toBeGreaterThan((BEFORE_S + GAP_S + AFTER_S) * 30 - 10);

    // Events: found at the start, lost once at the gap, found once after it.
    expect(events.map((e) => e.type)).toEqual(['face-found', 'face-lost', 'face-found']);
    expect(events[1]!.t).toBeGreaterThan(BEFORE_S - 0.5);
    expect(events[1]!.t).toBeLessThan(BEFORE_S + 0.5);
    expect(events[2]!.t).toBeGreaterThan(BEFORE_S + GAP_S - 0.1);
    expect(events[2]!.t).toBeLessThan(BEFORE_S + GAP_S + 1);
    // No face is reported from the black frames.
    expect(frames.filter((f) => f.face && f.t > BEFORE_S + 0.5 && f.t < BEFORE_S + GAP_S - 0.1)).toEqual([]);

    const before = frames.filter((f) => f.face && f.t < events[1]!.t);
    const after = frames.filter((f) => f.face && f.t >= events[2]!.t);
    expect(before.length).toBeGreaterThan(45);
    expect(after.length).toBeGreaterThan(60);

    // Re-initialised: the first frame of the clip and the first after the gap, and only those.
    expect(before[0]!.reinit).toBe(true);
    expect(after[0]!.reinit).toBe(true);
    expect(frames.filter((f) => f.reinit).length).toBe(2);

    // On MediaPipe's points: the re-initialised fit's landmark error is like that of the tracked frames before the gap.
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    const rmsBefore = median(before.slice(10).map((f) => f.rms));
    console.log(`landmark RMS: before the gap (median) ${rmsBefore.toFixed(2)} px; first after ${after[0]!.rms.toFixed(2)} px; after (median) ${median(after.map((f) => f.rms)).toFixed(2)} px`);
    // (The re-initialised frame is solved from a weak-perspective start in one frame's LM budget: 2.0 ± 0.1
    // times the tracked frames' error here; a fit dragged from the pose before the gap is many times it.)
    expect(after[0]!.rms).toBeLessThan(Math.max(2.5 * rmsBefore, rmsBefore + 1));
    expect(median(after.slice(0, 10).map((f) => f.rms))).toBeLessThan(Math.max(1.5 * rmsBefore, rmsBefore + 0.5));

    // Identity kept: the first fit after the gap starts from the identity estimated before it (equal
    // when it had frozen, close otherwise), not from the mean face.
    const last = before.at(-1)!.identity, first = after[0]!.identity;
    const norm = (v: number[]) => Math.hypot(...v);
    const change = norm(last.map((x, i) => x - first[i]!));
    console.log(`identity: |before| ${norm(last).toFixed(3)}, |after − before| ${change.toFixed(4)}, frozen before ${before.at(-1)!.frozen}`);
    expect(norm(last)).toBeGreaterThan(0);
    if (before.at(-1)!.frozen) {
      expect(first).toEqual(last);
      expect(after[0]!.frozen).toBe(true);
    } else {
      expect(change).toBeLessThan(0.25 * norm(last));
    }
  }, 300_000);
});
