/**
 * `npm run bench -- soak [frames]`: the long-run soak (issue 14). The tracker live on the sample
 * video looped as a fake webcam for `frames` frames (default 10,000) with the page's and the
 * tracking worker's heaps sampled every 500 frames; then 100 start/stop and 20 create/dispose
 * cycles checked for leftovers (bench/soak/driver.ts); and the memory of a recorded take per
 * hour of 30 fps frames (54,000 frames recorded into a Recorder, measured after a GC).
 * Needs `npm run build` first. Prints the samples, then one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, serveDirectory } from '../scripts/cli/browser.js';
import { recordLongTake } from '../test/fixtures/longTake.js';
import { runSoak } from './soak/driver.js';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/tracking-worker.js`)) throw new Error('Run `npm run build` first.');
const frames = Number(process.argv[2] ?? 10_000);

const dir = mkdtempSync(join(tmpdir(), 'p3dmm-soak-'));
const camera = join(dir, 'camera.y4m');
// The whole sample video, downscaled as a webcam would be; Chromium loops it.
execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(root, 'examples/media/webcam-head-motion.mp4'), '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', camera]);
const server = await serveDirectory(root);
const browser = await launchChromium({ webgpu: false, fakeCamera: camera, extraArgs: ['--js-flags=--expose-gc'] });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/test/browser/pages/blank.html`);
  await page.waitForFunction(() => 'pixel3dmm' in window);
  const report = await runSoak(browser, page, {
    frames,
    sampleEveryFrames: 500,
    warmupFrames: Math.min(1000, frames / 2),
    startStopCycles: 100,
    createDisposeCycles: 20,
    log: (line) => console.log(line),
  });
  report.errorMessages.forEach((e) => console.log(`error: ${e}`));
  report.cycleFailures.forEach((e) => console.log(`cycle failed: ${e}`));
  // A Recorder's memory per frame, of the default model's size, over 30 minutes of frames (54,000).
  const { bytesPerFrame } = recordLongTake(54_000);
  console.log(`take: ${bytesPerFrame.toFixed(0)} bytes per frame`);
  const { samples: _, errorMessages: __, cycleFailures: ___, leftovers: ____, ...figures } = report;
  console.log(JSON.stringify({ ...figures, take_mb_per_hour: +((bytesPerFrame * 108_000) / 2 ** 20).toFixed(1) }));
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
