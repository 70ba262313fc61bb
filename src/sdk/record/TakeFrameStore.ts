import type { TakeFrame } from './TakeData.js';

/** What every frame of a take holds, fixed for the take (from its face model). */
export interface TakeFrameLayout {
  expressionCount: number;
  /** 3 per joint (axis-angle); 0 for models without joints. */
  jointRotationCount: number;
}

/** Frames per chunk: big enough that the per-chunk overhead vanishes, small enough that a short take wastes little. */
const CHUNK_FRAMES = 1024;
const ARKIT_COUNT = 52;
/** ARKit weights are stored as 16-bit fractions of [0, 1]: at most 1/131070 ≈ 7.6e-6 off (read back as float32). */
const ARKIT_STEPS = 65535;
const HAS_ARKIT = 1;
const HAS_EYES = 2;
const HAS_JOINTS = 4;

interface Chunk {
  /** timeMs, videoTime (s) per frame: float64, an hour of milliseconds keeps sub-microsecond steps. */
  times: Float64Array;
  /** rotation (3), translation (3), yaw, pitch, roll, expression, joint rotations, eyes (4) per frame. */
  floats: Float32Array;
  arkit: Uint16Array;
  flags: Uint8Array;
}

/**
 * A take's frames in memory, column by column in preallocated chunks of typed arrays instead of
 * one object per frame: about 385 bytes a frame for the default model (53 expressions + ARKit-52
 * + eyes), ≈ 40 MiB an hour at 30 fps, where objects with their own typed arrays took ≈ 1.4 kB.
 * Pose, expression, joint and eye values are kept as float32 (the precision the tracker
 * computes them in), times as float64, ARKit weights (clamped to [0, 1]) as 16-bit fractions.
 */
export class TakeFrameStore {
  private readonly chunks: Chunk[] = [];
  private count = 0;
  private readonly stride: number;
  private readonly expressionAt = 9;
  private readonly jointsAt: number;
  private readonly eyesAt: number;

  constructor(readonly layout: TakeFrameLayout) {
    this.jointsAt = this.expressionAt + layout.expressionCount;
    this.eyesAt = this.jointsAt + layout.jointRotationCount;
    this.stride = this.eyesAt + 4;
  }

  /** Builds a store holding these frames (the layout from the longest of their arrays). */
  static from(frames: readonly TakeFrame[]): TakeFrameStore {
    const store = new TakeFrameStore({
      // reduce, not Math.max(...): a long take has more frames than a call takes arguments.
      expressionCount: frames.reduce((n, f) => Math.max(n, f.expression.length), 0),
      jointRotationCount: frames.reduce((n, f) => Math.max(n, f.jointRotations?.length ?? 0), 0),
    });
    frames.forEach((f) => store.push(f));
    return store;
  }

  get length(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays (what the take costs in memory, give or take a few hundred bytes). */
  get byteLength(): number {
    return this.chunks.reduce((sum, c) => sum + c.times.byteLength + c.floats.byteLength + c.arkit.byteLength + c.flags.byteLength, 0);
  }

  /** Appends a frame, copying its values (arrays longer than the layout are cut, shorter ones padded with 0). */
  push(frame: TakeFrame): void {
    const k = this.count % CHUNK_FRAMES;
    if (k === 0) this.chunks.push(this.newChunk());
    const chunk = this.chunks[this.chunks.length - 1]!;
    chunk.times[2 * k] = frame.timeMs;
    chunk.times[2 * k + 1] = frame.videoTime;
    const o = k * this.stride;
    const { rotation, translation, yaw, pitch, roll } = frame.pose;
    chunk.floats.set(rotation, o);
    chunk.floats.set(translation, o + 3);
    chunk.floats[o + 6] = yaw;
    chunk.floats[o + 7] = pitch;
    chunk.floats[o + 8] = roll;
    chunk.floats.set(frame.expression.subarray(0, this.layout.expressionCount), o + this.expressionAt);
    let flags = 0;
    if (frame.jointRotations && this.layout.jointRotationCount) {
      chunk.floats.set(frame.jointRotations.subarray(0, this.layout.jointRotationCount), o + this.jointsAt);
      flags |= HAS_JOINTS;
    }
    if (frame.eyes) {
      chunk.floats.set([frame.eyes.left.yaw, frame.eyes.left.pitch, frame.eyes.right.yaw, frame.eyes.right.pitch], o + this.eyesAt);
      flags |= HAS_EYES;
    }
    if (frame.arkit) {
      for (let i = 0; i < ARKIT_COUNT; i++) chunk.arkit[k * ARKIT_COUNT + i] = Math.round(Math.min(1, Math.max(0, frame.arkit[i] ?? 0)) * ARKIT_STEPS);
      flags |= HAS_ARKIT;
    }
    chunk.flags[k] = flags;
    this.count++;
  }

  /** The time of frame `i`, ms since the take's first frame. */
  timeMsAt(i: number): number {
    return this.chunks[Math.floor(i / CHUNK_FRAMES)]!.times[2 * (i % CHUNK_FRAMES)]!;
  }

  /** Frame `i` as a `TakeFrame` of its own (fresh arrays). */
  at(i: number): TakeFrame {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`frame ${i} of a take of ${this.count}`);
    const chunk = this.chunks[Math.floor(i / CHUNK_FRAMES)]!;
    const k = i % CHUNK_FRAMES;
    const o = k * this.stride;
    const v = chunk.floats;
    const frame: TakeFrame = {
      timeMs: chunk.times[2 * k]!,
      videoTime: chunk.times[2 * k + 1]!,
      pose: { rotation: [v[o]!, v[o + 1]!, v[o + 2]!], translation: [v[o + 3]!, v[o + 4]!, v[o + 5]!], yaw: v[o + 6]!, pitch: v[o + 7]!, roll: v[o + 8]! },
      expression: v.slice(o + this.expressionAt, o + this.jointsAt),
    };
    const flags = chunk.flags[k]!;
    if (flags & HAS_ARKIT) frame.arkit = Float32Array.from(chunk.arkit.subarray(k * ARKIT_COUNT, (k + 1) * ARKIT_COUNT), (q) => q / ARKIT_STEPS);
    if (flags & HAS_JOINTS) frame.jointRotations = v.slice(o + this.jointsAt, o + this.eyesAt);
    const e = o + this.eyesAt;
    if (flags & HAS_EYES) frame.eyes = { left: { yaw: v[e]!, pitch: v[e + 1]! }, right: { yaw: v[e + 2]!, pitch: v[e + 3]! } };
    return frame;
  }

  private newChunk(): Chunk {
    return {
      times: new Float64Array(2 * CHUNK_FRAMES),
      floats: new Float32Array(this.stride * CHUNK_FRAMES),
      arkit: new Uint16Array(ARKIT_COUNT * CHUNK_FRAMES),
      flags: new Uint8Array(CHUNK_FRAMES),
    };
  }
}
