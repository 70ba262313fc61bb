import type { FaceFrame } from '../../core/FaceFrame.js';

/** `tracker.frames()`: the `frame` events as async iterators, each queueing frames until read; all end on `close()`. */
export class FrameStreams {
  private readonly sinks = new Set<(frame: FaceFrame | null) => void>();

  /** Hands a frame to every open iterator. */
  push(frame: FaceFrame): void {
    for (const sink of this.sinks) sink(frame);
  }

  /** Ends every iterator (after the frames they still hold). */
  close(): void {
    for (const sink of this.sinks) sink(null);
    this.sinks.clear();
  }

  open(): AsyncIterableIterator<FaceFrame> {
    const queue: FaceFrame[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const sink = (frame: FaceFrame | null) => {
      if (frame) queue.push(frame);
      else done = true;
      wake?.();
    };
    this.sinks.add(sink);
    const sinks = this.sinks;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<FaceFrame>> {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
        const value = queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<FaceFrame>> {
        sinks.delete(sink);
        done = true;
        return { value: undefined, done: true };
      },
    };
  }
}
