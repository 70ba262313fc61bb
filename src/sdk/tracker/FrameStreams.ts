import { TrackerError } from '../../core/errors.js';
import type { FaceFrame } from '../../core/FaceFrame.js';

/**
 * How many frames a `frames()` iterator holds for a consumer that has not read them yet. Three
 * frames (100 ms at 30 fps) absorb a consumer's short stalls (a GC pause, one slow frame) without
 * a drop; a consumer slower than that for good gets the newest frames, never a growing backlog
 * of old ones, so its memory and latency stay bounded.
 */
export const DEFAULT_FRAMES_QUEUED = 3;

export interface FrameStreamOptions {
  /** Frames held for this iterator before the oldest is dropped (newest wins); ≥ 1, default 3. */
  maxQueued?: number;
}

/**
 * `tracker.frames()`: the `frame` events as async iterators. Each holds at most `maxQueued`
 * unread frames: when a new frame arrives at a full queue, the oldest is dropped (newest wins) and
 * counted in `dropped`. All iterators end on `close()` (after the frames they still hold); an
 * iterator opened after `close()` is already ended. `endOpen()` ends only those open now.
 */
export class FrameStreams {
  private readonly sinks = new Set<(frame: FaceFrame | null) => void>();
  private closed = false;
  /** Frames dropped so far by all iterators together (one per frame an iterator dropped). */
  dropped = 0;
  /** The most frames any iterator has held at once (for tests: never above its bound). */
  maxHeld = 0;

  /** Hands a frame to every open iterator. */
  push(frame: FaceFrame): void {
    for (const sink of this.sinks) sink(frame);
  }

  /** Ends every iterator (after the frames they still hold), and those opened later. */
  close(): void {
    this.closed = true;
    this.endOpen();
  }

  /** Ends the iterators open now (after the frames they still hold): the source ended. Those opened later get the next frames. */
  endOpen(): void {
    for (const sink of this.sinks) sink(null);
    this.sinks.clear();
  }

  open(options: FrameStreamOptions = {}): AsyncIterableIterator<FaceFrame> {
    const bound = options.maxQueued ?? DEFAULT_FRAMES_QUEUED;
    if (!Number.isInteger(bound) || bound < 1) throw new TrackerError('invalid-input', `frames({ maxQueued }) must be a whole number ≥ 1, got ${bound}.`);
    const queue: FaceFrame[] = [];
    const waiting: (() => void)[] = [];
    let done = this.closed;
    const wakeAll = () => waiting.splice(0).forEach((wake) => wake());
    const sink = (frame: FaceFrame | null) => {
      if (frame) {
        queue.push(frame);
        if (queue.length > bound) {
          queue.shift();
          this.dropped++;
        }
        this.maxHeld = Math.max(this.maxHeld, queue.length);
      } else {
        done = true;
      }
      wakeAll();
    };
    if (!done) this.sinks.add(sink);
    const sinks = this.sinks;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<FaceFrame>> {
        while (queue.length === 0 && !done) await new Promise<void>((r) => waiting.push(r));
        const value = queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<FaceFrame>> {
        sinks.delete(sink);
        done = true;
        queue.length = 0;
        wakeAll();
        return { value: undefined, done: true };
      },
    };
  }
}
