/**
 * The `track` command's pictures on one second of the real sample video: overlay.png and
 * (--video) overlay.mp4 show the fitted face shaded and half-transparent over the frames,
 * registered with the face, the frame untouched elsewhere; the MP4 has every tracked frame at
 * the clip's rate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trackVideo } from '../../scripts/cli/track.js';
import type { FrameRecord, TrackPageResult } from '../../scripts/cli/trackProtocol.js';
import { repoRoot } from './harness.js';
import { blueFraction, decodeFrames, luminanceSlope, meanAbsDifference, pointsBox, type RgbImage } from './overlayPixels.js';

const FRAMES = 30;
const WIDTH = 1080, HEIGHT = 720; // the sample video's size
const SHEET_CELL_PX = 360;

describe('track command: overlay.png and overlay.mp4', () => {
  let outDir: string, clip: string;
  let records: FrameRecord[];
  let result: TrackPageResult;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'p3dmm-overlay-'));
    clip = join(outDir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(repoRoot, 'examples/media/webcam-head-motion.mp4'), '-frames:v', String(FRAMES), '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    result = await trackVideo(clip, outDir, { sheetFrames: 4, smoothing: true, video: true });
    records = readFileSync(join(outDir, 'frames.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FrameRecord);
  }, 180_000);

  it('overlay.png: each crop has the face tinted by the shaded mesh (not thin lines), the face showing through', () => {
    const [sheet] = decodeFrames(join(outDir, 'overlay.png'), 4 * SHEET_CELL_PX, SHEET_CELL_PX);
    for (let cell = 0; cell < 4; cell++) {
      // The crop is centred on the face: its middle is nose, cheeks and eyes. Skin is never bluer
      // than red; under the mesh's colour nearly all of it is (a wireframe leaves most pixels as they were).
      const middle = { x0: (cell + 0.35) * SHEET_CELL_PX, x1: (cell + 0.65) * SHEET_CELL_PX, y0: 0.35 * SHEET_CELL_PX, y1: 0.65 * SHEET_CELL_PX };
      expect(blueFraction(sheet!, middle), `cell ${cell}`).toBeGreaterThan(0.75);
    }
  });

  it('overlay.mp4: every tracked frame, at the clip\'s frame rate', () => {
    expect(records.length).toBe(FRAMES);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,r_frame_rate,nb_read_frames:format=duration', '-of', 'json', join(outDir, 'overlay.mp4')], { encoding: 'utf8' }),
    ) as { streams: { codec_name: string; width: number; height: number; r_frame_rate: string; nb_read_frames: string }[]; format: { duration: string } };
    const [stream] = probe.streams;
    expect(Number(stream!.nb_read_frames)).toBe(records.length);
    expect(stream!.r_frame_rate).toBe('30/1');
    expect(Number(probe.format.duration)).toBeCloseTo(FRAMES / 30, 2);
    expect([stream!.width, stream!.height]).toEqual([WIDTH, HEIGHT]);
    // Chromium here encodes H.264; one without it would give VP9 or AV1 (the result says which).
    expect(stream!.codec_name).toBe({ avc: 'h264', vp9: 'vp9', av1: 'av1' }[result.video!.codec]);
  });

  it('overlay.mp4 frames: the mesh lies on the face, blended with it; the rest of the frame is the video\'s', () => {
    const indices = [5, 15, 25];
    const overlays = decodeFrames(join(outDir, 'overlay.mp4'), WIDTH, HEIGHT, indices);
    const sources = decodeFrames(clip, WIDTH, HEIGHT, indices);
    indices.forEach((frame, k) => {
      const overlay = overlays[k]!, source = sources[k]!, landmarks = records[frame]!.landmarks2d!;
      const face = pointsBox(landmarks, 0.5);
      expect(blueFraction(source, face)).toBeLessThan(0.05);
      expect(blueFraction(overlay, face)).toBeGreaterThan(0.75);
      // A blend: the frame still shows (1 = untouched, 0 = covered opaquely; 1 − opacity plus the
      // shading's likeness to the face's own light: about 0.7 here).
      const slope = luminanceSlope(overlay, source, face);
      expect(slope).toBeGreaterThan(0.3);
      expect(slope).toBeLessThan(0.9);
      // Registered: the fitted model's 478 points fall on the mesh (all but those on the rims of the eye and mouth holes).
      expect(onMesh(overlay, landmarks)).toBeGreaterThan(0.7);
      // Away from the face, the video's own pixels (up to the encoders' noise).
      expect(meanAbsDifference(overlay, source, { x0: 0, y0: 0, x1: 150, y1: 150 })).toBeLessThan(4);
    });
  });
});

/** The fraction of flat [x, y, …] pixel positions where the image is tinted blue (the mesh's colour). */
function onMesh(image: RgbImage, points: number[]): number {
  let on = 0;
  for (let i = 0; i < points.length; i += 2) on += blueFraction(image, { x0: Math.round(points[i]!), y0: Math.round(points[i + 1]!), x1: Math.round(points[i]!) + 1, y1: Math.round(points[i + 1]!) + 1 });
  return on / (points.length / 2);
}
