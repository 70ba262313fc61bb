/**
 * openVideoFile on the containers people record in: MP4 (the sample), MOV, and WebM (what
 * Chrome's MediaRecorder writes), each made from the sample video by ffmpeg here; and a file that
 * is no video gets a typed error a user can act on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

const FRAMES = 30;
const formats = {
  webm: ['-c:v', 'libvpx-vp9', '-b:v', '1M'],
  mov: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
} as const;

describe('openVideoFile', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    const dir = join(artifactsDir, 'video-formats');
    mkdirSync(dir, { recursive: true });
    for (const [ext, codec] of Object.entries(formats)) {
      // The sample's first second, downscaled: 30 frames at 30 fps.
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(repoRoot, 'examples/media/webcam-head-motion.mp4'), '-frames:v', String(FRAMES), '-an', '-vf', 'scale=540:360', ...codec, join(dir, `clip.${ext}`)]);
    }
    // A phone-style file: the frames stored turned a quarter, with the rotation to undo in the metadata.
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'clip.mov'), '-vf', 'transpose=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'turned.mov')]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'turned.mov'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', join(dir, 'rotated.mov')]);
    session = await startBrowserSession({ webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  const decode = async (url: string) => {
    const page = await session.open('/test/browser/pages/blank.html');
    return page.evaluate(async (src) => {
      const { openVideoFile } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      try {
        const { info, frames } = await openVideoFile(src);
        const times: number[] = [], sizes = new Set<string>();
        for await (const { frame, videoTime, index } of frames()) {
          times[index] = videoTime;
          sizes.add(`${frame.displayWidth}x${frame.displayHeight}`);
          frame.close();
        }
        return { info, times, sizes: [...sizes] };
      } catch (e) {
        return { error: `${(e as { code?: string }).code}: ${(e as Error).message}` };
      }
    }, url);
  };

  for (const ext of Object.keys(formats)) {
    it(`decodes every frame of a ${ext.toUpperCase()} file in order, at its exact time`, async () => {
      const result = await decode(`/test-results/video-formats/clip.${ext}`);
      expect(result.error).toBeUndefined();
      expect(result.info).toMatchObject({ width: 540, height: 360, frameCount: FRAMES });
      expect(result.sizes).toEqual(['540x360']);
      expect(result.times).toHaveLength(FRAMES);
      result.times!.forEach((t, i) => expect(t).toBeCloseTo(i / 30, 3));
    });
  }

  it('decodes the MP4 sample: 325 frames, 1080 × 720', async () => {
    const result = await decode('/examples/media/webcam-head-motion.mp4');
    expect(result.info).toMatchObject({ width: 1080, height: 720, frameCount: 325 });
    expect(result.times).toHaveLength(325);
    expect(result.times![324]).toBeCloseTo(324 / 30, 3);
  });

  it('applies a file\'s rotation: frames come out upright, and the face is found in them', async () => {
    const result = await decode('/test-results/video-formats/rotated.mov');
    expect(result.error).toBeUndefined();
    expect(result.info).toMatchObject({ width: 540, height: 360, frameCount: FRAMES });
    expect(result.sizes).toEqual(['540x360']);
    result.times!.forEach((t, i) => expect(t).toBeCloseTo(i / 30, 3));
    const page = await session.open('/test/browser/pages/blank.html');
    const found = await page.evaluate(async () => {
      const { FaceTracker, openVideoFile } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
      const tracker = await FaceTracker.create({ cache: false });
      const { frames } = await openVideoFile('/test-results/video-formats/rotated.mov');
      let faces = 0;
      for await (const { frame, videoTime, index } of frames()) {
        if ((await tracker.track(frame, videoTime)) !== null) faces++;
        if (index === 4) break;
      }
      tracker.dispose();
      return faces;
    });
    expect(found).toBe(5);
  });

  it('refuses a file that is no video with invalid-input, saying what it expects', async () => {
    const result = await decode('/README.md');
    expect(result.error).toMatch(/^invalid-input: Not a video file .*(MP4|WebM)/);
  });
});
