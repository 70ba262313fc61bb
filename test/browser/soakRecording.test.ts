/**
 * A recording survives a tracking-worker restart (issue 14, no data lost): live on the looping
 * sample video, the worker crashes once mid-take; the take keeps every frame from before the
 * crash, marks the gap (from the last frame before to the first after the restart), goes on
 * recording after it, and exports the gap in its JSON (the CSV's rows stay whole).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession, type BrowserSession } from './harness.js';

type Sdk = typeof import('../../src/index.js') & typeof import('../../src/record.js');

describe('recording across a worker restart', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startBrowserSession({ webgpu: false });
  }, 60_000);
  afterAll(async () => session?.close());

  it('keeps the frames before the crash, marks the gap, records after the restart', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker, Recorder, Take } = (window as unknown as { pixel3dmm: Sdk }).pixel3dmm;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const tracker = await FaceTracker.create({ cache: false });
      const errors: string[] = [];
      tracker.addEventListener('error', (e) => errors.push(`${e.detail.code}:${e.detail.details.restarted}`));
      const frameTimes: number[] = [];
      tracker.addEventListener('frame', (e) => frameTimes.push(e.detail.timeMs));
      const video = await (window as unknown as { playSampleVideo(): Promise<HTMLVideoElement> }).playSampleVideo();
      video.loop = true;
      const recorder = new Recorder(tracker);
      await tracker.start(video);
      for (let t = 0; t < 150 && frameTimes.length < 15; t++) await sleep(100);
      const framesBeforeCrash = frameTimes.length;
      const recordedBeforeCrash = recorder.frameCount;
      // Simulate an uncaught error in the worker (what a crash looks like from the page), live.
      (tracker as unknown as { connection: { worker: Worker } }).connection.worker.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
      for (let t = 0; t < 150 && frameTimes.length - framesBeforeCrash < 20; t++) await sleep(100);
      const take = recorder.stop();
      tracker.dispose();
      const json = JSON.parse(await take.toBlob('json').text());
      const csvRows = (await take.toBlob('csv').text()).trimEnd().split('\n');
      const back = Take.fromJSON(json);
      const t0 = frameTimes[0]!;
      return {
        errors,
        framesBeforeCrash,
        recordedBeforeCrash,
        frameCount: take.frameCount,
        frames: frameTimes.length,
        takeTimes: Array.from({ length: take.frameCount }, (_, i) => take.frameAt(i).timeMs),
        frameTimesFromFirst: frameTimes.map((t) => t - t0),
        gaps: take.gaps,
        jsonGaps: json.gaps,
        backGaps: back.gaps,
        csvRowLengths: [...new Set(csvRows.map((r) => r.split(',').length))],
        csvRows: csvRows.length,
      };
    });
    expect(result.errors).toEqual(['worker-crashed:true']);
    expect(result.framesBeforeCrash).toBeGreaterThanOrEqual(15);
    expect(result.frames - result.framesBeforeCrash).toBeGreaterThanOrEqual(20); // recording went on after the restart
    // Every frame the tracker delivered is in the take, those before the crash included, at its time.
    expect(result.frameCount).toBe(result.frames);
    result.takeTimes.forEach((t, i) => expect(t).toBeCloseTo(result.frameTimesFromFirst[i]!, 6));
    // One gap: from the last frame before the crash to the first after the restart (the 500 ms back-off and a new worker's start-up between).
    expect(result.gaps).toHaveLength(1);
    const gap = result.gaps[0]!;
    expect(gap.reason).toBe('worker-crashed');
    const before = result.takeTimes.filter((t) => t <= gap.startMs);
    expect(before.length).toBeGreaterThanOrEqual(result.recordedBeforeCrash);
    expect(before.length).toBeLessThanOrEqual(result.recordedBeforeCrash + 1); // a frame in flight may land just after the crash
    expect(gap.startMs).toBe(before.at(-1));
    expect(gap.endMs).toBe(result.takeTimes[before.length]);
    expect(gap.endMs! - gap.startMs).toBeGreaterThanOrEqual(500);
    // Exported in the JSON and read back; the CSV keeps all its rows whole.
    expect(result.jsonGaps).toEqual([{ startMs: expect.closeTo(gap.startMs, 5), endMs: expect.closeTo(gap.endMs!, 5), reason: 'worker-crashed' }]);
    expect(result.backGaps).toEqual(result.jsonGaps);
    expect(result.csvRows).toBe(result.frameCount + 1);
    expect(result.csvRowLengths).toEqual([63]);
  });
});
