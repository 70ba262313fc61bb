/**
 * `npm run bench -- inputsize [rounds]`: does the tracking worker's cost grow with the frame size?
 * The sample video as 1280x720 and as 3840x2160 (the same pictures), every frame tracked one at a
 * time in headless Chromium; the worker's per-frame time (MediaPipe, fit, the frame's payload) at
 * 4K over 720p. And MediaPipe's cost looking for 2 faces (the tracker's setting: the largest is
 * tracked) against 1, on the 720p clip. Needs `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { openBenchPage } from './pipeline/benchPage.js';
import type { InputSizeRun } from './pipeline/page.js';
import { quantile } from '../src/core/math/quantile.js';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/tracking-worker.js`)) throw new Error('Run `npm run build` first.');

const rounds = Number(process.argv[2] ?? 2);
const dir = `${root}test-results/bench-inputsize`;
mkdirSync(dir, { recursive: true });
const sizes = { '720p': '1280:720', '4k': '3840:2160' } as const;
for (const [name, size] of Object.entries(sizes)) {
  if (existsSync(`${dir}/${name}.mp4`)) continue;
  // 2 s (60 frames), near-lossless so that both sizes carry the same picture detail.
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', `${root}examples/media/webcam-head-motion.mp4`, '-t', '2', '-an', '-vf', `scale=${size},setsar=1`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-pix_fmt', 'yuv420p', `${dir}/${name}.mp4`]);
}

const { page, close } = await openBenchPage('runInputSizeBench');
try {
  const urls = Object.keys(sizes).map((name) => `/test-results/bench-inputsize/${name}.mp4`);
  const run: InputSizeRun = await page.evaluate(([u, n]) => window.runInputSizeBench(u as string[], n as number), [urls, rounds] as const);
  const [small, large] = urls.map((u) => run.worker[u]!);
  const median = (v: number[]) => quantile(v, 0.5);
  for (const [name, t] of [['720p', small!], ['4k', large!]] as const) {
    console.log(`${name}: ${t.workerMs.length} frames; worker ${median(t.workerMs).toFixed(2)} ms (p95 ${quantile(t.workerMs, 0.95).toFixed(2)}), MediaPipe ${median(t.landmarksMs).toFixed(2)} ms, fit ${median(t.fitMs).toFixed(2)} ms (medians)`);
  }
  const one = median(run.mediapipeByMaxFaces[1]!), two = median(run.mediapipeByMaxFaces[2]!);
  console.log(`MediaPipe alone, 720p: ${one.toFixed(2)} ms looking for 1 face, ${two.toFixed(2)} ms for 2 (medians)`);
  console.log(
    JSON.stringify({
      worker_ms_720p: +median(small!.workerMs).toFixed(3),
      worker_ms_4k: +median(large!.workerMs).toFixed(3),
      worker_ratio_4k_720p: +(median(large!.workerMs) / median(small!.workerMs)).toFixed(3),
      landmarks_ratio_4k_720p: +(median(large!.landmarksMs) / median(small!.landmarksMs)).toFixed(3),
      fit_ratio_4k_720p: +(median(large!.fitMs) / median(small!.fitMs)).toFixed(3),
      mediapipe_ms_1_face: +one.toFixed(3),
      mediapipe_ms_2_faces: +two.toFixed(3),
      mediapipe_ratio_2_1_faces: +(two / one).toFixed(3),
    }),
  );
} finally {
  await close();
}
