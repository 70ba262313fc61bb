/**
 * The clips `npm run bench -- blendshapes` replays: MediaPipe's points and blendshape scores per
 * frame, recorded once per clip by the `track` command (headless Chromium, built SDK) into
 * test-results/blendshapes/<clip>/frames.jsonl and reused after (`fresh` records again).
 * The sample video is ours; pixel3dmm-ex1..5 (../shared/assets/media, CC BY-NC) are other
 * people, for benchmarks only.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { trackVideo } from '../scripts/cli/track.js';
import type { FrameRecord } from '../scripts/cli/trackProtocol.js';
import type { RecordedFrame } from './blendshapeReplay.js';

const root = new URL('..', import.meta.url).pathname;

export interface Clip {
  name: string;
  video: string;
  /** The video's frame size, px (not in the records). */
  width: number;
  height: number;
  /** Tuned on (false) or held back for the report (true). */
  heldBack: boolean;
}

const shared = `${root}../shared/assets/media`;
export const CLIPS: Clip[] = [
  { name: 'webcam-head-motion', video: `${root}examples/media/webcam-head-motion.mp4`, width: 1080, height: 720, heldBack: false },
  { name: 'pixel3dmm-ex1', video: `${shared}/pixel3dmm-ex1.mp4`, width: 1080, height: 720, heldBack: false },
  { name: 'pixel3dmm-ex2', video: `${shared}/pixel3dmm-ex2.mp4`, width: 1080, height: 720, heldBack: false },
  { name: 'pixel3dmm-ex3', video: `${shared}/pixel3dmm-ex3.mp4`, width: 918, height: 612, heldBack: true },
  { name: 'pixel3dmm-ex4', video: `${shared}/pixel3dmm-ex4.mp4`, width: 798, height: 532, heldBack: true },
  { name: 'pixel3dmm-ex5', video: `${shared}/pixel3dmm-ex5.mp4`, width: 1080, height: 720, heldBack: true },
];

/** The clip's frames with a face, recorded first when absent (or when `fresh`). */
export async function clipRecords(clip: Clip, fresh: boolean): Promise<FrameRecord[]> {
  const outDir = `${root}test-results/blendshapes/${clip.name}`;
  if (fresh || !existsSync(`${outDir}/frames.jsonl`)) {
    mkdirSync(outDir, { recursive: true });
    console.log(`# recording ${clip.name} with \`track\` …`);
    await trackVideo(clip.video, outDir, { sheetFrames: 1, smoothing: true, onProgress: () => undefined });
  }
  return readFileSync(`${outDir}/frames.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as FrameRecord).filter((r) => r.face);
}

/** What the replay takes of a recorded frame with a face. */
export const recordedFrame = (r: FrameRecord): RecordedFrame => ({ frame: r.frame, timeMs: r.timeMs!, landmarks: r.mediapipeLandmarks2d!, blendshapes: r.mediapipeBlendshapes! });
