/**
 * Tracking the sample video in the page (offline: every frame through `tracker.track`) with given
 * tracker options, for the browser tests of the ViT prior. `trackInPage` runs in the page: it is
 * injected by its source, so it uses nothing from its module.
 */
import type { BrowserSession } from './harness.js';

export interface TrackSummary {
  info: { prior: 'landmarks' | { backend: string; preprocessing: string; inputSize: number; uvLayout: string; tta: boolean; fp16: boolean; normalsSpace: string; uvMirrorCentre?: number }; fallbacks: string[] };
  frames: { t: number; face: boolean; dense: number; normals: number; rms: number; age?: number }[];
  errors: { code: string; message: string }[];
  infoAfter?: TrackSummary['info'];
}

export interface TrackRun {
  frameCount: number;
  /** Wait this long after each frame until dense terms are first used (SwiftShader's first runs take seconds). */
  slowUntilDenseMs?: number;
  /** This many frames after dense terms were first used, crash the GPU process (the test's CDP hook) and go on. */
  crashAfterDense?: number;
}

/** In the page: a tracker with `options` over the first frames of the sample video (offline: every frame). */
export async function trackInPage(options: Record<string, unknown>, run: TrackRun): Promise<TrackSummary> {
  const { FaceTracker, openVideoFile } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
  const tracker = await FaceTracker.create({ cache: false, ...options });
  const errors: { code: string; message: string }[] = [];
  tracker.addEventListener('error', (e: CustomEvent) => errors.push({ code: e.detail.code, message: e.detail.message }));
  const info = JSON.parse(JSON.stringify(tracker.info));
  const frames: TrackSummary['frames'] = [];
  const { frames: decoded } = await openVideoFile('/examples/media/webcam-head-motion.mp4');
  let denseSince = -1;
  for await (const { frame, videoTime, index } of decoded()) {
    if (index >= run.frameCount) {
      frame.close();
      break;
    }
    const f = await tracker.track(frame, videoTime);
    frames.push({ t: videoTime, face: !!f, dense: f?.fit.denseCount ?? 0, normals: f?.fit.normalCount ?? 0, rms: f?.fit.landmarkRmsPx ?? NaN, age: f?.timings.priorAgeMs });
    if (f?.fit.denseCount && denseSince < 0) denseSince = index;
    if (denseSince < 0 && run.slowUntilDenseMs) await new Promise((r) => setTimeout(r, run.slowUntilDenseMs));
    if (run.crashAfterDense !== undefined && denseSince >= 0 && index === denseSince + run.crashAfterDense) {
      await (window as unknown as { crashGpu(): Promise<void> }).crashGpu();
      // Give the device-lost notice time to travel page ← tracking worker ← prior worker.
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
  const infoAfter = JSON.parse(JSON.stringify(tracker.info));
  tracker.dispose();
  return { info, frames, errors, infoAfter };
}

/** The page's window, with `trackInPage` injected by source. */
export type PageWindow = { trackInPage: typeof trackInPage };

/** Makes `trackInPage` callable in the page as `window.trackInPage`. */
export async function injectTrackInPage(page: Awaited<ReturnType<BrowserSession['open']>>): Promise<void> {
  await page.addScriptTag({ content: `window.trackInPage = ${trackInPage.toString()};` });
}
