import type { FaceFrame } from '../../core/FaceFrame.js';
import { quantile } from '../../core/math/quantile.js';

/** Rolling tracking statistics: the `stats` event's detail, about once a second. */
export interface TrackerStatsSnapshot {
  /** Frames with a result per second over the last second. */
  fps: number;
  /** Frames dropped so far because the worker was busy (newest frame wins). */
  dropped: number;
  /**
   * Frames (a count, since the tracker was created) that `tracker.frames()` iterators dropped
   * because their consumer read more slowly than the tracker produced: each iterator holds a few
   * unread frames (3 by default), and a new frame at a full queue drops the oldest (newest wins).
   * Two slow iterators missing the same frame count it twice. The `frame` event never drops.
   */
  framesDroppedByConsumers: number;
  /** Grab-to-event latency, ms. */
  latencyMsP50: number;
  latencyMsP95: number;
  /** SDK main-thread time per frame (grab + hand-off), ms. */
  mainThreadMsP95: number;
  /** Worker stage times, ms (median). */
  landmarksMs: number;
  fitMs: number;
  /** Whether a face is currently tracked. */
  faceVisible: boolean;
}

const WINDOW = 300;

export class TrackerStats {
  private times: number[] = [];
  private latency: number[] = [];
  private mainThread: number[] = [];
  private landmarks: number[] = [];
  private fit: number[] = [];
  private lastHadFace = false;

  reset(): void {
    this.times = [];
    this.latency = [];
    this.mainThread = [];
    this.landmarks = [];
    this.fit = [];
  }

  record(frame: FaceFrame | null, mainThreadMs: number): void {
    push(this.mainThread, mainThreadMs);
    this.lastHadFace = !!frame;
    if (!frame) return;
    push(this.times, performance.now());
    push(this.latency, frame.timings.latencyMs);
    push(this.landmarks, frame.timings.landmarksMs);
    push(this.fit, frame.timings.fitMs);
  }

  snapshot(dropped: number, framesDroppedByConsumers: number): TrackerStatsSnapshot {
    const now = performance.now();
    return {
      fps: this.times.filter((t) => now - t <= 1000).length,
      dropped,
      framesDroppedByConsumers,
      latencyMsP50: windowQuantile(this.latency, 0.5),
      latencyMsP95: windowQuantile(this.latency, 0.95),
      mainThreadMsP95: windowQuantile(this.mainThread, 0.95),
      landmarksMs: windowQuantile(this.landmarks, 0.5),
      fitMs: windowQuantile(this.fit, 0.5),
      faceVisible: this.lastHadFace,
    };
  }
}

function push(values: number[], v: number): void {
  values.push(v);
  if (values.length > WINDOW) values.shift();
}

/** A window's quantile; 0 before the first value (stats are plain numbers, never NaN). */
function windowQuantile(values: readonly number[], q: number): number {
  return values.length === 0 ? 0 : quantile(values, q);
}
