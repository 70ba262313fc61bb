/**
 * The user's resting face through the tracker's page API (`fitter.neutral`,
 * `calibrateNeutral()`, `neutralWeights`, the `neutral-recorded` event), on the real sample
 * video's first second, where the subject rests: offline (`track()`), so each tracker sees the
 * same frames, and without smoothing, so a frame's ARKit weights are its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession, type BrowserSession } from './harness.js';

type Sdk = typeof import('../../src/index.js');

describe('neutral calibration in the page', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startBrowserSession({ webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  it('records the resting face on request, takes it out of the ARKit weights, round-trips it, and fails typed, leaving the tracker usable', async () => {
    const page = await session.open('/test/browser/pages/blank.html');
    const result = await page.evaluate(async () => {
      const { FaceTracker, openVideoFile } = (window as unknown as { pixel3dmm: Sdk }).pixel3dmm;
      const RECORD = 15; // frames 0–14 record the resting face, 15–29 are measured
      const { frames: decoded } = await openVideoFile('/examples/media/webcam-head-motion.mp4');
      const clip: { bitmap: ImageBitmap; t: number }[] = [];
      for await (const { frame, videoTime, index } of decoded()) {
        if (index >= 2 * RECORD) {
          frame.close();
          break;
        }
        clip.push({ bitmap: await createImageBitmap(frame), t: videoTime });
        frame.close();
      }
      type Tracker = Awaited<ReturnType<typeof FaceTracker.create>>;
      /** The ARKit weights of frames [from, to) of the clip (null: no face), played `laterS` seconds on (the frame clock never goes back). */
      const track = async (tracker: Tracker, from: number, to: number, laterS = 0) => {
        const out: (number[] | null)[] = [];
        for (const { bitmap, t } of clip.slice(from, to)) {
          const f = await tracker.track(await createImageBitmap(bitmap), t + laterS);
          out.push(f ? Array.from(f.arkit!) : null);
        }
        return out;
      };
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => 'resolved',
          (e: { code?: string; details?: { reason?: string }; message: string }) => ({ code: e.code, reason: e.details?.reason, message: e.message }),
        );
      const options = { cache: false, smoothing: false as const };

      // Without the option: the plain weights, and calibrateNeutral() is refused.
      const plain = await FaceTracker.create(options);
      const plainArkit = await track(plain, 0, 2 * RECORD);
      const plainRefused = await outcome(plain.calibrateNeutral());
      const plainStillTracks = (await track(plain, 0, 1))[0] !== null;
      const plainWeights = plain.neutralWeights;
      plain.dispose();

      // Recorded on request over the first frames.
      const calibrated = await FaceTracker.create({ ...options, fitter: { neutral: { frames: RECORD } } });
      const events: number[][] = [];
      calibrated.addEventListener('neutral-recorded', (e) => events.push(e.detail.weights));
      let settledDuring = -1; // the index of the frame whose track() was running when it resolved
      let framesDone = 0;
      const recording = calibrated.calibrateNeutral();
      void recording.then(() => (settledDuring = framesDone));
      const weightsWhileRecording = calibrated.neutralWeights;
      const calibratedArkit: (number[] | null)[] = [];
      for (let i = 0; i < 2 * RECORD; i++) {
        calibratedArkit.push(...(await track(calibrated, i, i + 1)));
        framesDone++;
      }
      const recorded = await recording;
      const inUse = calibrated.neutralWeights;
      // A crash while recording again: the call fails, and the restarted worker goes on with the face
      // recorded before, fitting the clip afresh as a tracker given that face does (compared below).
      const crashedDuring = calibrated.calibrateNeutral();
      (calibrated as unknown as { connection: { worker: Worker } }).connection.worker.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
      const crashedOutcome = await outcome(crashedDuring);
      const restartedArkit = await track(calibrated, 0, RECORD);
      const restartedWeights = calibrated.neutralWeights;

      // The face missing for as long as the recording takes: a typed failure, the recorded face kept.
      const black = await createImageBitmap(new ImageData(1080, 720));
      const noFace = calibrated.calibrateNeutral();
      for (let i = 0; i < RECORD; i++) await calibrated.track(await createImageBitmap(black), 1 + i / 30);
      const noFaceOutcome = await outcome(noFace);
      const keptAfterNoFace = calibrated.neutralWeights;
      const afterNoFace = await track(calibrated, 0, RECORD, 2);
      // stop() while recording, the tracker live on the playing video.
      const video = await (window as unknown as { playSampleVideo(): Promise<HTMLVideoElement> }).playSampleVideo();
      const stopped = calibrated.calibrateNeutral();
      await calibrated.start(video);
      calibrated.stop();
      const stoppedOutcome = await outcome(stopped);
      video.pause();
      const keptAfterStop = calibrated.neutralWeights;
      // dispose() while recording.
      const disposedDuring = calibrated.calibrateNeutral();
      calibrated.dispose();
      const disposedOutcome = await outcome(disposedDuring);
      const afterDispose = await outcome(calibrated.calibrateNeutral());

      // The recorded weights passed back as given: the same output on the same frames, from the first.
      const given = await FaceTracker.create({ ...options, fitter: { neutral: { weights: recorded } } });
      const givenWeights = given.neutralWeights;
      const givenArkit = await track(given, 0, 2 * RECORD);
      given.dispose();

      // Refused before anything is downloaded.
      const realFetch = window.fetch;
      let fetches = 0;
      window.fetch = (...args) => (fetches++, realFetch(...args));
      const invalid = async (weights: number[]) => outcome(FaceTracker.create({ ...options, fitter: { neutral: { weights } } }));
      const tooFew = await invalid(recorded.slice(1));
      const notFinite = await invalid(recorded.map((w, i) => (i === 3 ? NaN : w)));
      window.fetch = realFetch;
      return {
        plainArkit, plainRefused, plainStillTracks, plainWeights,
        events, settledDuring, weightsWhileRecording, calibratedArkit, recorded, inUse,
        noFaceOutcome, keptAfterNoFace, afterNoFace, stoppedOutcome, keptAfterStop, crashedOutcome, disposedOutcome, afterDispose,
        givenWeights, givenArkit, restartedArkit, restartedWeights, tooFew, notFinite, fetches,
      };
    });
    const RECORD = 15;
    const sum = (w: number[] | null) => w!.reduce((a, b) => a + b, 0);
    const meanSum = (frames: (number[] | null)[]) => frames.reduce((a, w) => a + sum(w), 0) / frames.length;
    const maxDiff = (a: (number[] | null)[], b: (number[] | null)[]) => Math.max(...a.map((w, i) => Math.max(...w!.map((v, k) => Math.abs(v - b[i]![k]!)))));

    expect(result.plainArkit.every((w) => w?.length === 52)).toBe(true);
    expect(result.plainRefused).toMatchObject({ code: 'invalid-state', message: expect.stringMatching(/needs the fitter option `neutral`/) });
    expect(result.plainStillTracks).toBe(true);
    expect(result.plainWeights).toBeUndefined();

    // Resolves with the frame that finishes the recording, with 52 finite weights, once (one event).
    expect(result.weightsWhileRecording).toBeUndefined();
    expect(result.settledDuring).toBe(RECORD - 1);
    expect(result.recorded).toHaveLength(52);
    expect(result.recorded.every(Number.isFinite)).toBe(true);
    expect(result.events).toEqual([result.recorded]);
    expect(result.inUse).toEqual(result.recorded);
    // While recording the weights pass unchanged; after it, the resting face reads much less.
    expect(maxDiff(result.calibratedArkit.slice(0, RECORD), result.plainArkit.slice(0, RECORD))).toBeLessThan(1e-6);
    const restPlain = meanSum(result.plainArkit.slice(RECORD));
    const restCalibrated = meanSum(result.calibratedArkit.slice(RECORD));
    console.log(`resting ARKit sum over 0.5–1 s: ${restPlain.toFixed(3)} plain, ${restCalibrated.toFixed(3)} calibrated`);
    expect(restCalibrated).toBeLessThan(0.5 * restPlain);

    // Failures: typed, and the recorded face stays in use.
    expect(result.noFaceOutcome).toMatchObject({ code: 'calibration-failed', reason: 'no-face', message: expect.stringMatching(/no face was found in 15 frames.*recorded before stays in use/) });
    expect(result.keptAfterNoFace).toEqual(result.recorded);
    expect(result.afterNoFace.every((w) => w !== null)).toBe(true);
    expect(meanSum(result.afterNoFace)).toBeLessThan(0.5 * meanSum(result.plainArkit.slice(0, RECORD)));
    expect(result.stoppedOutcome).toMatchObject({ code: 'calibration-failed', reason: 'stopped' });
    expect(result.keptAfterStop).toEqual(result.recorded);
    expect(result.crashedOutcome).toMatchObject({ code: 'calibration-failed', reason: 'worker-crashed' });
    expect(result.disposedOutcome).toMatchObject({ code: 'disposed' });
    expect(result.afterDispose).toMatchObject({ code: 'disposed' });

    // Round trip: given back, the same weights and the same output on the same frames.
    expect(result.givenWeights).toEqual(result.recorded);
    expect(maxDiff(result.givenArkit.slice(RECORD), result.calibratedArkit.slice(RECORD))).toBeLessThan(1e-5);
    expect(meanSum(result.givenArkit.slice(0, RECORD))).toBeLessThan(0.5 * meanSum(result.plainArkit.slice(0, RECORD)));
    expect(result.restartedWeights).toEqual(result.recorded);
    expect(maxDiff(result.restartedArkit, result.givenArkit.slice(0, RECORD))).toBeLessThan(1e-5);

    expect(result.tooFew).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/must hold 52 finite ARKit weights.*got 51 values/) });
    expect(result.fetches).toBe(0);
    expect(result.notFinite).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/weights\[3\] \(\w+\) is NaN/) });
  }, 240_000);
});
