/**
 * MediaPipe's points and scores of every frame of the sample video, recorded by `track`
 * (test/fixtures/webcam-head-motion-mediapipe.json.gz; see scripts/fixtures/sampleVideoMediapipe.ts):
 * the real input the Node tests replay through the fitter.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RecordedFrame } from '../../../bench/blendshapeReplay.js';

export interface RecordedClip {
  /** The video's frame size, px. */
  width: number;
  height: number;
  frames: RecordedFrame[];
}

export function sampleVideoRecording(): RecordedClip {
  const path = new URL('../../fixtures/webcam-head-motion-mediapipe.json.gz', import.meta.url);
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as RecordedClip;
}
