/** Measures the tests that track the sample video (examples/media/webcam-head-motion.mp4) share. */
import type { FrameRecord } from '../../scripts/cli/trackProtocol.js';

export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The frames with a face between two video times (s). */
export const framesBetween = (records: FrameRecord[], fromS: number, toS: number) => records.filter((r) => r.face && r.videoTime >= fromS && r.videoTime <= toS);

/** Median over frames of the fitted 478 points' mean distance from MediaPipe's, as a fraction of the inter-ocular distance. */
export function medianLandmarkErrorIod(records: FrameRecord[]): number {
  const errors = records.filter((r) => r.face).map((r) => {
    const fit = r.landmarks2d!, mp = r.mediapipeLandmarks2d!;
    const iod = Math.hypot(mp[2 * 33]! - mp[2 * 263]!, mp[2 * 33 + 1]! - mp[2 * 263 + 1]!);
    return mean(Array.from({ length: 478 }, (_, k) => Math.hypot(fit[2 * k]! - mp[2 * k]!, fit[2 * k + 1]! - mp[2 * k + 1]!))) / iod;
  });
  errors.sort((a, b) => a - b);
  return errors[Math.floor(errors.length / 2)]!;
}

/**
 * The video's head rolls as the fitted pose reads them (mean roll, degrees): upright at the start,
 * rolled towards the subject's left around 2 s and to her right around 5 s.
 */
export function sampleVideoRollsDeg(records: FrameRecord[]): { start: number; first: number; second: number } {
  const roll = (from: number, to: number) => mean(framesBetween(records, from, to).map((r) => r.pose!.yawPitchRollDeg[2]!));
  return { start: roll(0, 0.5), first: roll(1.8, 2.6), second: roll(4.9, 5.5) };
}
