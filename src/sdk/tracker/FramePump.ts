/**
 * Grabs frames from a playing <video> (one per decoded video frame) and hands them to a
 * consumer that works one frame at a time. While the consumer is busy, only the newest frame
 * waits; an older waiting frame is dropped, so latency never builds up. While the page is hidden
 * it grabs nothing, and a frame waiting when the page was hidden is dropped: once the page is
 * shown again the consumer gets only frames grabbed after that, never a backlog.
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
  /** A video frame callback is requested (callbackId is its id). */
  private scheduled = false;
  private callbackId = 0;
  /** finish() was called: no new grab, the frames in hand are consumed. */
  private finishing = false;
  /** Called when the consumer has no frame left (finish() waits for it). */
  private idle?: () => void;
  private readonly document: Document;
  /** Frames dropped because the consumer was busy. */
  dropped = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly consume: (f: PumpedFrame) => Promise<void>,
    private readonly useVideoFrame = typeof VideoFrame !== 'undefined',
  ) {
    this.document = video.ownerDocument;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.document.addEventListener('visibilitychange', this.onVisibilityChange);
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.document.removeEventListener('visibilitychange', this.onVisibilityChange);
    this.unschedule();
    this.dropPending();
  }

  /**
   * Stops grabbing, then stops once the frame being consumed and the one waiting are done: at the
   * end of a video file its last frames are tracked rather than dropped.
   */
  async finish(): Promise<void> {
    this.finishing = true;
    this.unschedule();
    if (this.busy) await new Promise<void>((resolve) => (this.idle = resolve));
    this.stop();
  }

  /**
   * Hidden: stop grabbing (a browser stops video frame callbacks in a hidden page anyway; one that
   * does not would have the consumer track frames nobody sees) and drop the waiting frame, which
   * would be stale by the time the page is shown. Shown: grab again, from the current frame.
   */
  private readonly onVisibilityChange = () => {
    if (!this.running) return;
    if (this.hidden()) {
      this.unschedule();
      this.dropPending();
    } else {
      this.schedule();
    }
  };

  private hidden(): boolean {
    return this.document.visibilityState === 'hidden';
  }

  private schedule(): void {
    if (!this.running || this.finishing || this.scheduled || this.hidden()) return;
    this.scheduled = true;
    this.callbackId = this.video.requestVideoFrameCallback((_now, metadata) => {
      this.scheduled = false;
      void this.grab(metadata.mediaTime);
      this.schedule();
    });
  }

  private unschedule(): void {
    if (this.scheduled) this.video.cancelVideoFrameCallback?.(this.callbackId);
    this.scheduled = false;
  }

  private dropPending(): void {
    this.pending?.frame.close();
    this.pending = undefined;
  }

  private async grab(videoTime: number): Promise<void> {
    const t0 = performance.now();
    if (this.video.videoWidth === 0) return;
    const frame = this.useVideoFrame ? new VideoFrame(this.video, { timestamp: Math.round(videoTime * 1e6) }) : await createImageBitmap(this.video);
    // Stopped or hidden while an ImageBitmap was made: nobody wants this frame any more.
    if (!this.running || this.hidden()) return frame.close();
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
    this.idle?.();
    this.idle = undefined;
  }
}
