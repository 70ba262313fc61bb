/**
 * `npm run bench -- pipeline`: the whole tracker in headless Chromium on the 1080x720 sample
 * video vs MediaPipe FaceLandmarker alone on the same frames, plus the live path's main-thread
 * cost and latency, and how well the fitted model lands on MediaPipe's points.
 * Needs `npm run build` first (dist/ for the tracking worker and MediaPipe's WASM).
 */
import { existsSync } from 'node:fs';
import { openBenchPage } from './pipeline/benchPage.js';
import type { PipelineRun } from './pipeline/page.js';
import { quantile } from '../src/core/math/quantile.js';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/tracking-worker.js`)) throw new Error('Run `npm run build` first.');

const rounds = Number(process.argv[2] ?? 2);
const { page, close } = await openBenchPage('runPipelineBench');
try {
  const run: PipelineRun = await page.evaluate(([url, n]) => window.runPipelineBench(url as string, n as number), ['/examples/media/webcam-head-motion.mp4', rounds]);
  const fps = Math.max(...run.trackerFps);
  const mediapipeOnlyFps = Math.max(...run.mediapipeFps);
  console.log(`tracker fps per round ${run.trackerFps.map((v) => v.toFixed(1)).join(', ')}; MediaPipe alone ${run.mediapipeFps.map((v) => v.toFixed(1)).join(', ')}`);
  console.log(`live: ${run.liveFrames} frames, ${run.dropped} dropped`);
  console.log(
    JSON.stringify({
      fps: +fps.toFixed(2),
      mediapipe_only_fps: +mediapipeOnlyFps.toFixed(2),
      overhead_ratio: +(fps / mediapipeOnlyFps).toFixed(3),
      main_thread_ms_p95: +run.mainThreadMsP95.toFixed(3),
      latency_ms_p50: +quantile(run.latencyMs, 0.5).toFixed(2),
      latency_ms_p95: +quantile(run.latencyMs, 0.95).toFixed(2),
      landmark_reproj_iod_pct_median: +(100 * quantile(run.reprojIod, 0.5)).toFixed(3),
    }),
  );
} finally {
  await close();
}
