/**
 * A short soak in CI (issue 14, long runs; `npm run bench -- soak` is the long one): the tracker
 * live on the sample video looped as a fake webcam for 1,200 frames with the page's and the
 * worker's heaps sampled every 300 frames (after a forced GC), then start/stop cycles on it and
 * create/dispose cycles, each checked for a worker, camera track, tracker object or WASM instance
 * left behind (bench/soak/driver.ts says what is observable).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSoak, type SoakReport } from '../../bench/soak/driver.js';
import { repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

const FRAMES = 1200;

describe('soak: a long live run and start/stop, create/dispose cycles', () => {
  let session: BrowserSession;
  let report: SoakReport;
  beforeAll(async () => {
    const fakeCamera = join(mkdtempSync(join(tmpdir(), 'p3dmm-cam-')), 'camera.y4m');
    const video = join(repoRoot, 'examples/media/webcam-head-motion.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '4', '-i', video, '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', fakeCamera]);
    session = await startBrowserSession({ fakeCamera, webgpu: false, extraArgs: ['--js-flags=--expose-gc'] });
    const page = await session.open('/test/browser/pages/blank.html');
    report = await runSoak(session.browser, page, { frames: FRAMES, sampleEveryFrames: 300, warmupFrames: 300, startStopCycles: 100, createDisposeCycles: 8 });
    console.log(JSON.stringify({ ...report, samples: undefined }));
    console.log(report.samples.map((s) => `${s.frames}: page ${(s.pageHeapBytes / 1e6).toFixed(2)} MB, worker ${(s.workerHeapBytes / 1e6).toFixed(2)} MB`).join('\n'));
  }, 170_000);
  afterAll(async () => session?.close());

  it(`tracks ${FRAMES} live frames with no error and neither heap growing more than 5 % after warm-up`, () => {
    expect(report.frames).toBeGreaterThanOrEqual(FRAMES);
    expect(report.errorMessages).toEqual([]);
    expect(report.samples.length).toBeGreaterThanOrEqual(4);
    expect(report.heap_growth_pct).toBeLessThanOrEqual(5);
    expect(report.worker_heap_growth_pct).toBeLessThanOrEqual(5);
  });

  it('100 start/stop cycles each track live and leave one worker and no camera track running', () => {
    expect(report.cycleFailures.filter((f) => f.startsWith('start/stop'))).toEqual([]);
    expect(report.start_stop_cycles_ok).toBe('100/100');
  });

  it('create/dispose cycles leave no worker, camera track, tracker object or WASM instance', () => {
    expect(report.cycleFailures.filter((f) => f.startsWith('create/dispose'))).toEqual([]);
    expect(report.create_dispose_cycles_ok).toBe('8/8');
    expect(report.leftovers).toEqual({ workers: 0, liveCameraTracks: 0, faceTrackers: 0, pageWasmInstances: 0 });
  });
});
