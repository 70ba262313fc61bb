/**
 * Grabs frames from a playing <video> (one per decoded video frame) and hands them to a
 * consumer that works one frame at a time. While the consumer is busy, only the newest frame
 * waits; an older waiting frame is dropped, so latency never builds up.
 */
export interface PumpedFrame {
  frame: VideoFrame | ImageBitmap;
  /** Grab time, ms (performance.now()). */
  timeMs: number;
  /** Position in the source, s. */
  videoTime: number;
  /** Main-thread time spent grabbing it, ms. */
  grabMs: number;
}

export class FramePump {
  private pending?: PumpedFrame;
  private busy = false;
  private running = false;
  private callbackId = 0;
  /** Frames dropped because the consumer was busy. */
  dropped = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly consume: (f: PumpedFrame) => Promise<void>,
    private readonly useVideoFrame = typeof VideoFrame !== 'undefined',
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.video.cancelVideoFrameCallback?.(this.callbackId);
    this.pending?.frame.close();
    this.pending = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.callbackId = this.video.requestVideoFrameCallback((_now, metadata) => {
      void this.grab(metadata.mediaTime);
      this.schedule();
    });
  }

  private async grab(videoTime: number): Promise<void> {
    const t0 = performance.now();
    if (this.video.videoWidth === 0) return;
    const frame = this.useVideoFrame ? new VideoFrame(this.video, { timestamp: Math.round(videoTime * 1e6) }) : await createImageBitmap(this.video);
    const grabbed: PumpedFrame = { frame, timeMs: t0, videoTime, grabMs: 0 };
    grabbed.grabMs = performance.now() - t0;
    if (this.busy) {
      if (this.pending) {
        this.pending.frame.close();
        this.dropped++;
      }
      this.pending = grabbed;
    } else {
      void this.run(grabbed);
    }
  }

  private async run(first: PumpedFrame): Promise<void> {
    this.busy = true;
    let next: PumpedFrame | undefined = first;
    while (next && this.running) {
      await this.consume(next);
      next = this.pending;
      this.pending = undefined;
    }
    next?.frame.close();
    this.busy = false;
  }
}
